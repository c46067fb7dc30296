#!/usr/bin/env python3
"""Turns a text file into a C header holding it as one string constant.

usage: embed.py NAME INPUT OUTPUT
"""
import sys

name, src, dst = sys.argv[1:4]
with open(src, "rb") as f:
    data = f.read()
lines = ["/* Generated from %s at build time; do not edit. */" % src.split("/")[-1],
         "static const char %s[] =" % name]
for line in data.decode("utf-8").splitlines(keepends=True):
    esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    lines.append('\t"%s"' % esc)
lines.append('\t"";')
with open(dst, "w") as f:
    f.write("\n".join(lines) + "\n")
