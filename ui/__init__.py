"""The page's widgets, by part (app.py lays them out); each module imports Streamlit, and none
holds state logic: that is ``geo.pagestate``."""
