"""Expectations written by hand from the shipped data (layers/events/, layers/scenes.json), not
computed by the code under test."""

from __future__ import annotations

# What each shipped scene shows, in date order, read off layers/scenes.json and the events file by
# hand (not computed with geo.filters): the expectation the page's scenes are checked against.
SCENE_EVENTS = {
    "frontier": None,  # no filter: all 30
    # November 2021 to June 2022, unrest and security operations, in GBAO
    "gbao-unrest": ["gbao-protests", "gbao-counterterrorism-operation", "gbao-deadly-unrest",
                    "gbao-disturbances-2022", "gbao-rally-crackdown"],
    "china-wakhan": ["china-assists-tajikistan", "china-shaymak-post"],
    "russia": ["russia-201st-stationed", "russia-security-assistance", "russia-announces-border-post",
               "majlisi-oli-russian-grant", "russia-201st-strength"],
    "us-ayvoj": ["us-security-funding", "us-funds-ayvoj-post"],
    # The Panjshir and Baghlan resistance names no group (actor anti-taliban-resistance), so the NRF's
    # only offensives are the two it announced.
    "nrf-isis-k": ["nrf-offensive-andarab-valley", "nrf-offensive-panjshir-valley", "isisk-contests-taliban",
                   "isisk-rockets-into-tajikistan", "resistance-baghlan", "resistance-panjshir"],
    "dushanbe-kabul": ["tajikistan-demands-inclusive-government", "tajikistan-backs-massoud", "hekmatyar-threat",
                       "chuianzoda-kabul-mission", "taliban-accuse-tajikistan"],
}
TOTAL_EVENTS = 30
# The view in words (geo.summary) of the GBAO scene: three unrest events and two security
# operations, all standing on GBAO, counted by hand (tests/test_summary.py says how).
GBAO_SCENE_SUMMARY = ("Showing 5 of 30 events in Gorno-Badakhshan (GBAO), Nov 2021 to Jun 2022. By type: "
                      "3 unrest or protest; 2 internal security operation. Most in Gorno-Badakhshan Autonomous "
                      "Region (5).")
# Events of every actor named, with the scene's other filters cleared (same hand count).
CHINA_EVENTS = ["china-assists-tajikistan", "china-shaymak-post"]
# Every type in GBAO from November 2021 to June 2022: the drug trade joins; the Shaymak post,
# reported on 29 October 2021, stays out.
GBAO_UNREST_ALL_TYPES = ["gbao-protests", "gbao-counterterrorism-operation", "gbao-deadly-unrest",
                         "gbao-disturbances-2022", "gbao-drug-trade", "gbao-rally-crackdown"]
# Unrest and security operations anywhere: the Taliban's efforts in Badakhshan and Takhar join.
GBAO_UNREST_ALL_REGIONS = ["gbao-protests", "gbao-counterterrorism-operation", "gbao-deadly-unrest",
                           "gbao-disturbances-2022", "gbao-rally-crackdown", "taliban-reassert-badakhshan",
                           "taliban-reassert-takhar"]
GBAO_UNREST_ALL_DATES = ["gbao-protests", "gbao-counterterrorism-operation", "gbao-deadly-unrest",
                         "gbao-disturbances-2022", "gbao-rally-crackdown"]
