from dinhdanh.cli import main

raise SystemExit(main())
