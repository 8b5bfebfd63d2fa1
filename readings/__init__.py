"""The words of the pages: each chart's one-sentence reading and text description, and the
sentences around tables, computed from the same frames the charts and tables show.
Named after the page they serve; plain Python, no SQL and no Streamlit."""
