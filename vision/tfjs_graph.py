"""A TensorFlow.js graph model (model.json + weight shards) rebuilt as a frozen TensorFlow GraphDef.

No TensorFlow needed: the GraphDef protobuf classes come from the `tensorboard` wheel, and OpenVINO's
TensorFlow frontend reads the serialised .pb. Used at set-up time only (vision.model_build).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

# What is physically in a TF.js weight shard for each manifest dtype (all little-endian).
_STORED = {
    "float32": np.float32,
    "int32": np.int32,
    "bool": np.bool_,
    "float16": np.float16,
    "uint8": np.uint8,
    "uint16": np.uint16,
}


class GraphError(ValueError):
    """The TF.js model cannot be rebuilt (unsupported weights, blob size mismatch)."""


def load_weights(model_json: dict[str, Any], weights_dir: Path) -> dict[str, np.ndarray]:
    """Decode the weightsManifest into {name: array} in TF.js's logical dtype (float32, int32, bool).

    Weights lie back to back, in manifest order, across the shards of all groups. Empty tensors (a 0 in
    the shape) take no bytes. fp16 "quantisation" is plain IEEE halves; uint8/uint16 are affine.
    """
    groups = model_json["weightsManifest"]
    blob = b"".join((weights_dir / p).read_bytes() for group in groups for p in group["paths"])
    out: dict[str, np.ndarray] = {}
    offset = 0
    for entry in (w for group in groups for w in group["weights"]):
        shape = [int(s) for s in entry["shape"]]
        count = int(np.prod(shape)) if shape else 1
        quant = entry.get("quantization")
        stored = np.dtype(_STORED[quant["dtype"] if quant else _logical(entry)]).newbyteorder("<")
        if offset + count * stored.itemsize > len(blob):
            raise GraphError(f"weight {entry['name']} runs past the end of the weight blob")
        raw = np.frombuffer(blob, dtype=stored, count=count, offset=offset)
        offset += count * stored.itemsize
        if quant and quant["dtype"] != "float16":
            raw = raw.astype(np.float32) * quant["scale"] + quant["min"]
        out[entry["name"]] = raw.astype(_STORED[_logical(entry)]).reshape(shape)
    if offset != len(blob):
        raise GraphError(f"weight blob size mismatch: used {offset} of {len(blob)} bytes")
    return out


def _logical(entry: dict[str, Any]) -> str:
    if entry["dtype"] not in _STORED:
        raise GraphError(f"weight {entry['name']}: dtype {entry['dtype']} is not supported")
    return str(entry["dtype"])


def build_graphdef(model_json: dict[str, Any], weights: dict[str, np.ndarray]) -> Any:
    """The TF.js topology with each Const's value filled from the weights, as a tensorboard GraphDef."""
    from google.protobuf import json_format
    from tensorboard.compat.proto import graph_pb2

    graph = graph_pb2.GraphDef()
    topology = model_json["modelTopology"]
    for n in topology["node"]:
        node = graph.node.add(name=n["name"], op=n["op"], input=n.get("input", []), device=n.get("device", ""))
        for key, value in n.get("attr", {}).items():
            if node.op == "Const" and key == "value":
                continue  # filled from the weight blob below
            # TF.js keeps attributes in proto3 JSON (base64 strings, ints as strings, dtype enum names).
            json_format.ParseDict(value, node.attr[key])
        if node.op == "Const":
            node.attr["value"].tensor.CopyFrom(_tensor(weights[n["name"]], node.attr["dtype"].type))
    # TF.js drops `versions`; OpenVINO does not check the producer, any recent one will do.
    graph.versions.producer = int(topology.get("versions", {}).get("producer", 1395))
    return graph


def _tensor(arr: np.ndarray, declared: int) -> Any:
    """A TensorProto of the node's declared dtype: TF.js has no int64, so DT_INT64 constants were stored
    as int32 and are cast back; fp16 weights stay dequantised as float32 because their nodes say DT_FLOAT."""
    from tensorboard.compat.proto import tensor_pb2, types_pb2

    np_type = {
        types_pb2.DT_FLOAT: np.float32,
        types_pb2.DT_HALF: np.float16,
        types_pb2.DT_INT32: np.int32,
        types_pb2.DT_INT64: np.int64,
        types_pb2.DT_BOOL: np.bool_,
        types_pb2.DT_UINT8: np.uint8,
    }
    if declared not in np_type:
        raise GraphError(f"Const of dtype {types_pb2.DataType.Name(declared)} is not supported")
    # astype(order="C"), not np.ascontiguousarray: the latter turns 0-d scalars into shape [1], and
    # PadV2's scalar -inf padding value must stay a scalar.
    value = arr.astype(np.dtype(np_type[declared]).newbyteorder("<"), order="C")
    tensor = tensor_pb2.TensorProto(dtype=declared)
    # Set even for scalars: an absent tensor_shape reads as "unknown rank", a present empty one as rank 0.
    tensor.tensor_shape.SetInParent()
    for size in value.shape:
        tensor.tensor_shape.dim.add(size=size)
    if value.size:  # empty tensors keep an empty tensor_content
        tensor.tensor_content = value.tobytes()
    return tensor


def write_graphdef(model_json_path: Path, pb_path: Path) -> int:
    """Rebuild the TF.js model at model_json_path (shards beside it) into pb_path; returns the node count."""
    model_json = json.loads(model_json_path.read_text(encoding="utf-8"))
    if model_json.get("format") != "graph-model":
        raise GraphError(f"{model_json_path} is not a TF.js graph model (format {model_json.get('format')!r})")
    graph = build_graphdef(model_json, load_weights(model_json, model_json_path.parent))
    tmp = pb_path.with_suffix(".pb.tmp")
    tmp.write_bytes(graph.SerializeToString())
    tmp.replace(pb_path)
    return len(graph.node)
