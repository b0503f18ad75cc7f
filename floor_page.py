"""Streamlit's own floor for ``panj bench --app`` (geo.bench.app): a page holding nothing but one
``st_folium`` map of Panj's size, no tiles, served as the benchmark serves app.py. Its Leaflet is
the copy Panj serves (nothing from a CDN, as on Panj's page). Panj's first load is reported as a
ratio to this page's, measured in the same run."""

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo import assets

st.set_page_config(page_title="Floor", layout="wide")
assets.install_static()
floor = folium.Map(location=(37.5, 71.0), zoom_start=6, tiles=None)
floor.default_js = [pair for pair in assets.MAP_JS if pair[0] == "leaflet"]
floor.default_css = [pair for pair in assets.MAP_CSS if pair[0] == "leaflet_css"]
st_folium(floor, returned_objects=[], key="map", height=560, use_container_width=True)
