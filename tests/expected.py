"""Expectations written by hand from the shipped data (layers/events/, layers/scenes.json), not
computed by the code under test."""

from __future__ import annotations

# What each shipped scene shows, in date order, read off layers/scenes.json and the events file by
# hand (not computed with geo.filters): the expectation the page's scenes are checked against.
SCENE_EVENTS = {
    "frontier": None,  # no filter: all 29
    "gbao-unrest": ["gbao-protests", "gbao-counterterrorism-operation", "gbao-deadly-unrest",
                    "gbao-disturbances-2022"],
    "china-wakhan": ["china-shaymak-post", "china-watches-wakhan"],
    "russia": ["russia-201st-stationed", "russia-security-assistance", "russia-announces-border-post",
               "majlisi-oli-russian-grant", "russia-201st-strength"],
    "us-ayvoj": ["us-security-funding", "us-funds-ayvoj-post"],
    "nrf-isis-k": ["nrf-offensive-andarab-valley", "nrf-offensive-panjshir-valley", "isisk-rockets-into-tajikistan",
                   "resistance-baghlan", "resistance-panjshir", "taliban-isisk-badakhshan", "taliban-isisk-takhar"],
    "dushanbe-kabul": ["tajikistan-demands-inclusive-government", "tajikistan-backs-massoud", "hekmatyar-threat",
                       "chuianzoda-kabul-mission", "taliban-accuse-tajikistan"],
}
TOTAL_EVENTS = 29
# Events of every actor named, with the scene's other filters cleared (same hand count).
CHINA_EVENTS = ["china-shaymak-post", "china-watches-wakhan"]
# Every type in GBAO from November 2021 to May 2022: the Shaymak post (2016 - June 2022) overlaps.
GBAO_UNREST_ALL_TYPES = ["china-shaymak-post", "gbao-protests", "gbao-counterterrorism-operation",
                         "gbao-deadly-unrest", "gbao-disturbances-2022"]
GBAO_UNREST_ALL_REGIONS = ["gbao-protests", "gbao-counterterrorism-operation", "gbao-deadly-unrest",
                           "gbao-disturbances-2022"]
GBAO_UNREST_ALL_DATES = ["gbao-protests", "gbao-counterterrorism-operation", "gbao-deadly-unrest",
                         "gbao-disturbances-2022", "gbao-rally-crackdown"]
