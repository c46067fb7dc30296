#!/usr/bin/python3
"""A Modbus TCP responder that numbers every answer, for the fault tests.

Every read of input or holding registers (function 3 or 4) takes the next
number N from one counter shared by all connections, writes "N CONN" to the
log (flushed) *before* answering, and answers with N in registers 0-1
(uint32, big-endian words) and, at address a >= 2, the value
(N * 7 + a * 13) % 32768. When a connection ends, "close CONN" is logged.

So the log is an independent record of what the agent polled: every poll
value N stored in PostgreSQL must be in it, and every N in it must be stored
unless it was the last answer on a connection the agent lost by being
killed (the answer may have arrived after the kill).

    counting_modbus.py --port 0 --log FILE   (prints "listening on PORT")
"""
import argparse
import socket
import struct
import sys
import threading

lock = threading.Lock()
counter = 0


def answer(pdu, log, cid):
    global counter
    fc = pdu[0]
    if fc not in (3, 4) or len(pdu) < 5:
        return bytes([fc | 0x80, 1])
    addr, qty = struct.unpack(">HH", pdu[1:5])
    if qty < 1 or qty > 125:
        return bytes([fc | 0x80, 3])
    with lock:
        counter += 1
        n = counter
        log.write(f"{n} {cid}\n")
        log.flush()
    regs = []
    for a in range(addr, addr + qty):
        if a == 0:
            regs.append((n >> 16) & 0xFFFF)
        elif a == 1:
            regs.append(n & 0xFFFF)
        else:
            regs.append((n * 7 + a * 13) % 32768)
    return bytes([fc, 2 * qty]) + struct.pack(">%dH" % qty, *regs)


def serve(conn, cid, log):
    buf = b""
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
            while len(buf) >= 8:
                tid, _pid, length, unit = struct.unpack(">HHHB", buf[:7])
                if len(buf) < 6 + length:
                    break
                pdu = buf[7:6 + length]
                buf = buf[6 + length:]
                body = answer(pdu, log, cid)
                conn.sendall(struct.pack(">HHHB", tid, 0, len(body) + 1, unit) + body)
    except OSError:
        pass
    finally:
        with lock:
            log.write(f"close {cid}\n")
            log.flush()
        conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    args = p.parse_args()
    log = open(args.log, "a", buffering=1)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(64)
    print("listening on", srv.getsockname()[1], flush=True)
    cid = 0
    while True:
        conn, _ = srv.accept()
        cid += 1
        threading.Thread(target=serve, args=(conn, cid, log), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
