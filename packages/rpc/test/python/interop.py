"""gRPC interop peer in Python grpcio (Debian python3-grpcio), stubs generated at test time.

  interop.py GEN_DIR client HOST:PORT   call a weft server; print one JSON line of results
  interop.py GEN_DIR server             serve Inventory; print the port, run until stdin closes
"""
import json
import sys
import threading
import time
from concurrent import futures

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
from weft.test.v1 import inventory_pb2 as pb, inventory_pb2_grpc as pb_grpc  # noqa: E402
import health_pb2, health_pb2_grpc  # noqa: E402  (grpc.health.v1, generated from proto/grpc/health/v1)
import error_details_pb2, status_pb2  # noqa: E402  (google.rpc, generated from proto/google/rpc)


def details_of(err):
    """The google.rpc.Status in an error's grpc-status-details-bin trailer, as JSON-able values."""
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    status = status_pb2.Status.FromString(raw)
    out = {"code": status.code, "message": status.message, "details": []}
    for any_ in status.details:
        for cls in (error_details_pb2.ErrorInfo, error_details_pb2.RetryInfo, error_details_pb2.BadRequest):
            if any_.Is(cls.DESCRIPTOR):
                msg = cls()
                any_.Unpack(msg)
                if cls is error_details_pb2.ErrorInfo:
                    out["details"].append({"reason": msg.reason, "domain": msg.domain, "metadata": dict(msg.metadata)})
                elif cls is error_details_pb2.RetryInfo:
                    out["details"].append({"retry_ms": msg.retry_delay.seconds * 1000 + msg.retry_delay.nanos // 1000000})
                else:
                    out["details"].append({"violations": [[v.field, v.description] for v in msg.field_violations]})
    return out


def client(target):
    out = {}
    with grpc.insecure_channel(target, compression=grpc.Compression.Gzip) as channel:
        stub = pb_grpc.InventoryStub(channel)
        item, call = stub.GetItem.with_call(
            pb.GetItemRequest(sku="A-1"),
            metadata=(("x-token", "abc"), ("x-trace-bin", b"\x00\x01\xff")),
            timeout=5,
        )
        out["unary"] = {"sku": item.sku, "name": item.name, "tags": list(item.tags),
                        "warehouse": item.warehouse_id, "width": item.size.width}
        out["headers"] = dict((k, v) for k, v in call.initial_metadata() if k == "x-token-seen")
        out["trailer_bin"] = [list(v) for k, v in call.trailing_metadata() if k == "x-trace-bin"]
        out["list"] = [i.sku for i in stub.ListItems(pb.ListItemsRequest(prefix="p", count=3), timeout=5)]
        summary = stub.RecordChanges(iter([pb.StockChange(sku="a", delta=2), pb.StockChange(sku="b", delta=3)]), timeout=5)
        out["summary"] = {"changes": summary.changes, "total": summary.total_delta, "by_sku": dict(summary.by_sku)}
        out["bidi"] = [f"{i.sku}:{i.stock}" for i in stub.Reserve(iter([pb.StockChange(sku="x", delta=1), pb.StockChange(sku="y", delta=2)]), timeout=5)]
        try:
            stub.GetItem(pb.GetItemRequest(sku="x", fail_code=5, fail_message="no such sku ✓"), timeout=5)
        except grpc.RpcError as e:
            out["status"] = [e.code().name, e.details()]
        try:
            stub.GetItem(pb.GetItemRequest(sku="x", fail_code=9, fail_message="with details"), timeout=5)
        except grpc.RpcError as e:
            out["details"] = details_of(e)
        try:
            stub.GetItem(pb.GetItemRequest(sku="s", delay_ms=5000), timeout=0.1)
        except grpc.RpcError as e:
            out["deadline"] = e.code().name
        future = stub.GetItem.future(pb.GetItemRequest(sku="c", delay_ms=5000), timeout=5)
        time.sleep(0.05)
        future.cancel()
        out["cancelled"] = future.cancelled()
        health = health_pb2_grpc.HealthStub(channel)
        out["health"] = health_pb2.HealthCheckResponse.ServingStatus.Name(
            health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status)
        out["health_service"] = health_pb2.HealthCheckResponse.ServingStatus.Name(
            health.Check(health_pb2.HealthCheckRequest(service="weft.test.v1.Inventory"), timeout=5).status)
        try:
            health.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=5)
        except grpc.RpcError as e:
            out["health_unknown"] = e.code().name
        watch = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=5)
        out["health_watch"] = health_pb2.HealthCheckResponse.ServingStatus.Name(next(watch).status)
        watch.cancel()
    print(json.dumps(out), flush=True)


class Inventory(pb_grpc.InventoryServicer):
    def GetItem(self, request, context):
        if request.fail_message == "with details":
            status = status_pb2.Status(code=request.fail_code, message=request.fail_message)
            info = error_details_pb2.ErrorInfo(reason="PY", domain="python.test", metadata={"k": "v"})
            status.details.add().Pack(info)
            context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
        if request.fail_code:
            context.abort(grpc.StatusCode(next(c for c in grpc.StatusCode if c.value[0] == request.fail_code)), request.fail_message)
        md = dict(context.invocation_metadata())
        if "x-token" in md:
            context.send_initial_metadata((("x-token-seen", md["x-token"]),))
        if "x-trace-bin" in md:
            context.set_trailing_metadata((("x-trace-bin", md["x-trace-bin"]),))
        if request.delay_ms:
            deadline = time.time() + request.delay_ms / 1000
            while time.time() < deadline and context.is_active():
                time.sleep(0.01)
            if not context.is_active():
                print("CANCELLED", flush=True)
                return pb.Item()
        return pb.Item(sku=request.sku, name=f"py {request.sku}", tags=["p"], country="NL")

    def ListItems(self, request, context):
        for i in range(request.count):
            yield pb.Item(sku=f"{request.prefix}{i}")

    def RecordChanges(self, request_iterator, context):
        n = total = 0
        by = {}
        for c in request_iterator:
            n += 1
            total += c.delta
            by[c.sku] = by.get(c.sku, 0) + c.delta
        return pb.StockSummary(changes=n, total_delta=total, by_sku=by)

    def Reserve(self, request_iterator, context):
        for c in request_iterator:
            yield pb.Item(sku=c.sku, stock=c.delta)

    def Echo(self, request, context):
        return request


def server():
    srv = grpc.server(futures.ThreadPoolExecutor(max_workers=8), compression=grpc.Compression.Gzip)
    pb_grpc.add_InventoryServicer_to_server(Inventory(), srv)
    port = srv.add_insecure_port("127.0.0.1:0")
    srv.start()
    print(port, flush=True)
    sys.stdin.read()
    srv.stop(0)


if __name__ == "__main__":
    client(sys.argv[3]) if sys.argv[2] == "client" else server()
