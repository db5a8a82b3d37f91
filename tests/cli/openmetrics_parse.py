#!/usr/bin/python3
"""Reads OpenMetrics text on stdin, parses it with the reference parser
(prometheus_client.openmetrics.parser, Debian's python3-prometheus-client)
and prints what it found as JSON: {"families": {name: {"type": ..., "unit":
..., "samples": [{"name": ..., "labels": {...}, "value": ...}]}}}.
A parse error exits 1 with the parser's message on stderr."""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

def main():
    text = sys.stdin.read()
    try:
        families = {}
        for family in text_string_to_metric_families(text):
            families[family.name] = {
                "type": family.type,
                "unit": family.unit,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
            }
    except Exception as error:  # the parser raises ValueError and friends
        print("openmetrics parse error: %s" % error, file=sys.stderr)
        return 1
    json.dump({"families": families}, sys.stdout)
    return 0

if __name__ == "__main__":
    sys.exit(main())
