from dinhdanh.cli import main

# Guarded: registry imports validate big files in spawned processes, which import the main module again.
if __name__ == "__main__":
    raise SystemExit(main())
