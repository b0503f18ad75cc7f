"""The benchmarks behind ``panj bench``, kept apart from the product: ``maps`` (Panj's map against a
naive folium map in headless Chromium), ``app`` (the running page under load, ``--app``),
``imports`` (``panj import`` of a synthetic ACLED export, ``--import``) and ``synthetic`` (the
seeded events they share). docs/performance.md gives their method and figures.
"""
