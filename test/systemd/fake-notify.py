"""A stand-in for systemd's notification socket: prints each datagram as one JSON line.

Node cannot listen on a unix datagram socket, so tests use this. It honours BARRIER=1 (sent by
systemd-notify) by closing the file descriptor passed with it, as the service manager does.
"""
import array, json, os, socket, sys

path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
print(json.dumps({"listening": path}), flush=True)
while True:
    msg, ancdata, _flags, _addr = sock.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            for fd in fds:
                os.close(fd)
    print(json.dumps({"message": msg.decode("utf-8", "replace")}), flush=True)
