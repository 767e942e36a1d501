"""`python -m back_spasm_cli` behaves exactly like the `spasm` command."""

from back_spasm_cli.entry import main

if __name__ == "__main__":
    main()
