"""The entry point the oracle scripts share: exit with main(argv)'s code; any exception becomes one
line `error: TYPE: MESSAGE` on stderr (the Java tests show it) and exit code 1."""
import sys


def run(main, max_chars=800):
    try:
        rc = main(sys.argv[1:])
    except Exception as e:  # noqa: BLE001
        print('error: %s: %s' % (type(e).__name__, ' '.join(str(e).split())[:max_chars]), file=sys.stderr)
        rc = 1
    sys.exit(rc)
