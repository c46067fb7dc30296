#!/usr/bin/python3
"""An independent Modbus TCP slave built on pymodbus (3.0), to cross-check
pantau's decoding against an encoder that is not ours and not libmodbus.

It reads the same seed format as pantau-sim-modbus (see README.md) and
encodes every value with pymodbus's BinaryPayloadBuilder, whose byteorder
and wordorder are separate like pantau's byte_order and word_order.

    /usr/bin/python3 pymodbus_slave.py [--bind ADDR] [--port N] [--seed FILE]

--port 0 picks a free port. Once listening it prints
"pymodbus-slave: listening on HOST:PORT" on stdout.
"""
import argparse
import asyncio
import logging
import os
import shlex
import sys

from pymodbus.constants import Endian
from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.payload import BinaryPayloadBuilder
from pymodbus.server.async_io import ModbusTcpServer

ORDERS = {"big": Endian.Big, "little": Endian.Little}
ADDERS = {
    "int16": "add_16bit_int", "uint16": "add_16bit_uint",
    "int32": "add_32bit_int", "uint32": "add_32bit_uint",
    "int64": "add_64bit_int", "uint64": "add_64bit_uint",
    "float32": "add_32bit_float", "float64": "add_64bit_float",
}


def encode(typ, order, value):
    """Registers for one seed value, built by pymodbus."""
    byte, word = order.split("/")
    if typ == "string":
        raw = value.encode("ascii")
        if len(raw) % 2:
            raw += b"\0"
        regs = [raw[i] << 8 | raw[i + 1] for i in range(0, len(raw), 2)]
        if byte == "little":
            regs = [(r >> 8) | ((r & 0xFF) << 8) for r in regs]
        return regs
    b = BinaryPayloadBuilder(byteorder=ORDERS[byte], wordorder=ORDERS[word])
    num = float(value) if typ.startswith("float") else int(value, 0)
    getattr(b, ADDERS[typ])(num)
    return b.to_registers()


def load_seed(path):
    """{table: {address: value}} from a seed file."""
    tables = {"coil": {}, "discrete": {}, "input": {}, "holding": {}}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            tok = shlex.split(line, comments=True)
            if not tok:
                continue
            order = "big/big"
            if len(tok) == 5:
                order = tok.pop(3)
            if len(tok) != 4 or tok[0] not in tables:
                sys.exit(f"{path}:{lineno}: expected: table address type [byte/word] value")
            table, addr, typ, value = tok[0], int(tok[1], 0), tok[2], tok[3]
            if typ == "bool":
                tables[table][addr] = value not in ("0", "false")
                continue
            for k, reg in enumerate(encode(typ, order, value)):
                tables[table][addr + k] = reg
    return tables


def block(values):
    data = [0] * 65536
    for addr, v in values.items():
        data[addr] = int(v)
    return ModbusSequentialDataBlock(0, data)


async def serve(args, tables):
    slave = ModbusSlaveContext(
        co=block(tables["coil"]), di=block(tables["discrete"]),
        ir=block(tables["input"]), hr=block(tables["holding"]), zero_mode=True)
    context = ModbusServerContext(slaves=slave, single=True)
    server = ModbusTcpServer(context, address=(args.bind, args.port),
                             allow_reuse_address=True)
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    print(f"pymodbus-slave: listening on {args.bind}:{port}", flush=True)
    await task


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=1503)
    p.add_argument("--seed", default=os.path.join(here, "ems_default.seed"))
    args = p.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(serve(args, load_seed(args.seed)))


if __name__ == "__main__":
    main()
