#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (committed; run again only to change it):
  corpus/fdt/       QEMU virt's own trees for 1, 4 and 64 harts, every edited tree of
                    tests/qemu/dtb.py, and hand-made faults of the header and the structure block
  corpus/bootargs/  command lines; the first byte is the buffer size the fuzzer passes
Crash inputs the fuzzers find are added here by hand (named regress-*) once fixed.
Usage: tests/fuzz/make-corpus.py   (needs qemu-system-riscv64)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
import dtb  # noqa: E402  (tests/qemu/dtb.py)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def header_faults(tree):
    """Variants of a valid tree, each wrong in one field or block."""
    def field(offset, value):
        b = bytearray(tree)
        struct.pack_into(">I", b, offset, value)
        return bytes(b)

    total, off_struct, off_strings = struct.unpack_from(">III", tree, 4)
    size_strings, size_struct = struct.unpack_from(">II", tree, 32)
    return {
        "bad-magic": field(0, 0xD00DFEEE),
        "totalsize-huge": field(4, 0xFFFFFFF0),
        "totalsize-tiny": field(4, 12),
        "struct-misaligned": field(8, off_struct + 2),
        "struct-past-end": field(36, total),
        "strings-past-end": field(32, total),
        "strings-offset-wraps": field(12, 0xFFFFFFF0),
        "version-16": field(20, 16),
        "last-comp-18": field(24, 18),
        "header-only": tree[:40],
        "cut-in-struct": tree[:off_struct + size_struct // 2],
        "cut-before-strings": tree[:off_strings],
        "no-end-token": field(off_struct + size_struct - 4, 2),  # FDT_END -> END_NODE
        "unknown-token": field(off_struct + 4 * 2, 7),
        # The root's first property: BEGIN_NODE and its empty name (8 bytes), PROP, len, nameoff.
        "name-offset-out": field(off_struct + 16, size_strings + 5),
    }


def tree_faults():
    """Trees wrong (or unusual but valid) in their structure, made from QEMU's 4-hart tree."""
    def edited(edit):
        root, boot = dtb.parse(dtb.qemu_tree(4))
        edit(root)
        return dtb.serialize(root, boot)

    def duplicate_hart(root):
        cpus = root.child("cpus")
        dtb.set_prop(cpus.child("cpu@1"), "reg", dict(cpus.child("cpu@0").props)["reg"])

    def timebase_in_cpus(root):  # valid: the RISC-V binding allows it in each cpu node
        cpus = root.child("cpus")
        tb = dict(cpus.props)["timebase-frequency"]
        cpus.props = [(n, v) for n, v in cpus.props if n != "timebase-frequency"]
        for c in cpus.children:
            if c.name.startswith("cpu@"):
                c.props.append(("timebase-frequency", tb))

    def root_named(root):
        root.name = "root"

    two = bytearray(edited(lambda root: None))  # a second, empty root before FDT_END
    off_struct, off_strings = struct.unpack_from(">II", two, 8)
    size_struct = struct.unpack_from(">I", two, 36)[0]
    end = off_struct + size_struct - 4
    two[end:end] = struct.pack(">III", 1, 0, 2)
    for offset, delta in ((4, 12), (12, 12), (36, 12)):
        struct.pack_into(">I", two, offset, struct.unpack_from(">I", two, offset)[0] + delta)
    return {
        "fault-duplicate-hart": edited(duplicate_hart),
        "fault-root-named": edited(root_named),
        "fault-second-root": bytes(two),
        "valid-timebase-in-cpus": edited(timebase_in_cpus),
    }


def main():
    fdt_dir, args_dir = os.path.join(HERE, "corpus", "fdt"), os.path.join(HERE, "corpus", "bootargs")
    trees = {}
    for smp in (1, 4, 64):
        blob = dtb.qemu_tree(smp)
        (total,) = struct.unpack_from(">I", blob, 4)
        trees[smp] = blob[:total]
        write(f"{fdt_dir}/qemu-smp{smp}.dtb", trees[smp])
    for edit in sorted(dtb.EDITS):
        root, boot = dtb.parse(dtb.qemu_tree(8 if edit == "boot-hart-last" else 2))
        dtb.EDITS[edit](root)
        write(f"{fdt_dir}/edit-{edit}.dtb", dtb.serialize(root, boot))
    # The fuzzers read their knob from the last byte, which every tree above ends with 0 (its
    # strings block's NUL): boot hart 0, the image unchecked. These copies end in 5: boot hart 1,
    # the image of QEMU virt's kernel checked against the memory.
    for name in sorted(os.listdir(fdt_dir)):
        if name.startswith(("qemu-", "edit-")) and not name.endswith("-image.dtb"):
            with open(os.path.join(fdt_dir, name), "rb") as f:
                blob = f.read()
            write(os.path.join(fdt_dir, name[:-4] + "-image.dtb"), blob + b"\x05")
    for name, data in header_faults(trees[1]).items():
        write(f"{fdt_dir}/fault-{name}.dtb", data)
    for name, data in tree_faults().items():
        write(f"{fdt_dir}/{name}.dtb", data)
    lines = {
        "fail": b"neuron.fail\0neuron.fail=qos_ordering",
        "bare-key": b"neuron.panic\0console=ttyS0 neuron.panic",
        "last-of-repeats": b"neuron.reenter\0neuron.reenter=1 neuron.reenter=2",
        "prefix-only": b"neuron.fail\0neuron.failure=1 neuron.fai=2",
        "long-value": b"neuron.bad_start\0neuron.bad_start=" + b"7" * 100,
        "no-equals-run": b"a\0aaaa a=b",
        "spaces": b"k\0   k=v   ",
        "empty-key": b"\0k=v",
        "empty-args": b"k\0",
    }
    for name, data in lines.items():
        for size in (0, 1, 8, 39):
            write(f"{args_dir}/{name}-buf{size}", bytes([size]) + data)


if __name__ == "__main__":
    main()
