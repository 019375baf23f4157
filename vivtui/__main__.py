from vivtui.cli import main

if __name__ == "__main__":  # not when a reading process is started (``ingest.split_read``)
    raise SystemExit(main())
