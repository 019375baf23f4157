from vivtui.cli import main

raise SystemExit(main())
