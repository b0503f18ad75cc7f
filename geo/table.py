"""The events table under the map: one row per shown event, with names instead of ids."""

from __future__ import annotations

import pandas as pd

from geo.events import Vocabulary
from geo.join import distances_apply


def events_table(shown: pd.DataFrame, vocabulary: Vocabulary) -> pd.DataFrame:
    """The table's columns for ``shown`` (joined events, ``geo.join``). "Frontier (km)" is missing
    (NA) for a country-wide event, whose distances do not apply (``geo.join.distances_apply``)."""
    actors, types = vocabulary.actors, vocabulary.event_types
    return pd.DataFrame({
        "Date": shown["date_label"],
        "From": shown["date_first"],
        "Title": shown["title"],
        "Status": shown["status"].str.capitalize(),
        "Type": shown["event_type"].map(lambda term_id: types[term_id].name if term_id in types else term_id),
        "Actors": shown["actors"].map(lambda ids: ", ".join(actors[i].name if i in actors else i for i in ids)),
        "Place": shown["place_name"],
        "Region": [", ".join(part for part in (province, country) if isinstance(part, str))
                   for province, country in zip(shown["province"], shown["country"])],
        "Frontier (km)": shown["frontier_km"].where(distances_apply(shown)).round(1),
        "Source": [f"{document}: {citations}" for document, citations in zip(shown["document"], shown["citations_label"])],
    })
