"""Running the app: several app processes behind a reverse proxy on one database (no Streamlit imported here)."""
