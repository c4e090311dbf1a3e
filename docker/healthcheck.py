"""The image's HEALTHCHECK: exit 0 when the bot is healthy, 1 otherwise (stdlib only).

Webhook mode: GET http://127.0.0.1:$WEBHOOK_PORT/healthz (default 8080) must answer 2xx.
Polling mode serves no HTTP: the bot is PID 1, so while this check can run the process is
alive, and when it dies the container stops; there is nothing more to ask it.
"""

import os
import sys
import urllib.request


def main() -> int:
    if os.environ.get("VETBOT_MODE", "webhook") == "polling":
        return 0
    url = f"http://127.0.0.1:{os.environ.get('WEBHOOK_PORT') or 8080}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if 200 <= response.status < 300 else 1
    except OSError as error:  # refused, timed out, or an HTTP error status
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
