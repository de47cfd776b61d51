"""Reads JSON [hex, ...] of MessagePack documents on stdin; decodes each with Python's msgpack
(strict: no ext types), re-encodes it, and prints JSON [{"value": <as JSON>, "hex": <re-encoded>}]."""
import base64
import json
import sys

import msgpack


def ext_refused(code, data):
    raise ValueError(f"ext type {code} is not plain MessagePack")


def to_json(v):
    if isinstance(v, bytes):
        return {"$bytes": base64.b64encode(v).decode()}
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    return v


out = []
for doc in json.load(sys.stdin):
    value = msgpack.unpackb(bytes.fromhex(doc), raw=False, ext_hook=ext_refused, strict_map_key=True)
    out.append({"value": to_json(value), "hex": msgpack.packb(value, use_bin_type=True).hex()})
print(json.dumps(out))
