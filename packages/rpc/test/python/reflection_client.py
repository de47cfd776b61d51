"""A reflection client in Python grpcio, as grpcurl works: list a server's services, fetch the
.proto files of one by symbol, build its messages from those files alone and call it.

  reflection_client.py GEN_DIR HOST:PORT   print one JSON line of what it found
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402
import reflection_pb2, reflection_pb2_grpc  # noqa: E402  (from proto/grpc/reflection/v1)


def ask(stub, requests):
    return list(stub.ServerReflectionInfo(iter(requests), timeout=5))


def add_files(pool, answers):
    """Add the FileDescriptorProtos of answers to pool, each after the files it imports."""
    files = {}
    for answer in answers:
        for raw in answer.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
            files[fd.name] = fd
    added = set()

    def add(name):
        if name in added or name not in files:
            return
        added.add(name)
        for dep in files[name].dependency:
            add(dep)
        pool.Add(files[name])

    for name in files:
        add(name)
    return sorted(files)


def main(target):
    out = {}
    with grpc.insecure_channel(target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        Req = reflection_pb2.ServerReflectionRequest
        [listed] = ask(stub, [Req(list_services="")])
        out["services"] = [s.name for s in listed.list_services_response.service]
        answers = ask(stub, [Req(file_containing_symbol="weft.test.v1.Inventory"),
                             Req(file_containing_symbol="weft.test.v1.Catalog"),
                             Req(file_containing_symbol="weft.test.v1.Nope")])
        out["not_found"] = [answers[2].error_response.error_code, answers[2].error_response.error_message]
        pool = descriptor_pool.DescriptorPool()
        out["files"] = add_files(pool, answers[:2])
        service = pool.FindServiceByName("weft.test.v1.Inventory")
        method = service.methods_by_name["GetItem"]
        # protobuf ≥ 4.21 has GetMessageClass; Debian 12's 3.21 has only the factory.
        message_class = getattr(message_factory, "GetMessageClass", None) or message_factory.MessageFactory(pool).GetPrototype
        request_class = message_class(method.input_type)
        response_class = message_class(method.output_type)
        call = channel.unary_unary(f"/{service.full_name}/{method.name}",
                                   request_serializer=lambda m: m.SerializeToString(),
                                   response_deserializer=response_class.FromString)
        item = call(request_class(sku="PY-1"), timeout=5)
        out["item"] = {"sku": item.sku, "name": item.name, "tags": list(item.tags)}
        listing = pool.FindMessageTypeByName("weft.test.v1.Listing")
        out["listing_fields"] = [f.name for f in listing.fields]
        out["audit_note"] = pool.FindExtensionByName("weft.test.v1.audit_note").number
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[2])
