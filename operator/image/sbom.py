#!/usr/bin/env python3
"""Writes the operator image's SBOM: CycloneDX's BOM of the operator's Maven dependencies (cyclonedx-maven-plugin)
plus the components operator/image/rootfs staged (Debian packages, the jlinked Java runtime).

  operator/image/sbom.py <maven bom.json> <image-packages.tsv> <output.cdx.json> [<more outputs>...]

Standard library only: it runs in the Maven build (operator/pom.xml, profile image).
"""

import csv
import json
import pathlib
import sys
from urllib.parse import quote


def purl(row):
    if row["type"] == "deb":
        return f"pkg:deb/debian/{row['name']}@{quote(row['version'], safe='')}?arch=amd64&distro=debian-12"
    return f"pkg:generic/{row['name']}@{quote(row['version'], safe='')}"


def component(row):
    return {
        "type": "library" if row["type"] == "deb" else "application",
        "bom-ref": purl(row),
        "name": row["name"],
        "version": row["version"],
        "purl": purl(row),
        "description": f"{row['source']} (Debian source package)" if row["type"] == "deb" else row["source"],
        "properties": [{"name": "jno:image:license-file", "value": "/" + row["license-file"]}],
    }


def main():
    maven_bom, packages, *outputs = sys.argv[1:]
    if not outputs:
        sys.exit(__doc__)
    bom = json.loads(open(maven_bom).read())
    with open(packages, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if not rows:
        sys.exit(f"{packages} lists nothing")
    added = [component(row) for row in rows]
    bom["components"] = bom.get("components", []) + added
    root = bom.get("metadata", {}).get("component", {}).get("bom-ref")
    if root:
        dependencies = bom.setdefault("dependencies", [])
        for entry in dependencies:
            if entry.get("ref") == root:
                entry.setdefault("dependsOn", []).extend(c["bom-ref"] for c in added)
        dependencies.extend({"ref": c["bom-ref"]} for c in added)
    text = json.dumps(bom, indent=2) + "\n"
    for output in outputs:
        path = pathlib.Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


if __name__ == "__main__":
    main()
