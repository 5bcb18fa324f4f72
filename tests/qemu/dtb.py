#!/usr/bin/env python3
"""Device trees for QEMU tests: QEMU virt's own tree (dumpdtb), edited, written as a DTB.

  dtb.py --smp N --out FILE [--edit EDIT]...

Edits (applied in order):
  boot-hart-last            move /cpus/cpu@0 (the boot hart under single-threaded TCG) after the
                            other harts
  virtio-compatible-no-nul  the first virtio node's compatible list loses its final NUL
  virtio-reg-short          the first virtio node's reg shorter than #address-cells demands
  cpus-no-harts             no /cpus child says device_type = "cpu"
  virtio-long-prop-name     the first virtio node gets a property named with 40 characters
  timebase-two-cells        /cpus timebase-frequency as 2 cells, 4.3 GHz (OpenSBI reads 1 Hz)
  cpu-reg-twice             /cpus/cpu@1 gets a second reg = <7> (OpenSBI reads the first)
  second-chosen             a second /chosen, after the first, asking for neuron.fail=qos_ordering
  prop-after-subnode        /soc gets a property after its subnodes (libfdt does not see it)
  uart-nested-decoy         the UART gets a subnode that also says ns16550a, at a virtio address:
                            the first match in document order is still the real UART
  uart-decoy-first          an ns16550a at a virtio address ahead of the real UART in /soc (the
                            firmware keeps its console on stdout-path, and so does the kernel)
  stdout-path-alias         as uart-decoy-first, with stdout-path = "serial0:115200n8" and
                            /aliases/serial0 naming the real UART
  no-stdout-path-decoy      no stdout-path; a decoy "ns16550a" ahead of the real UART, which also
                            says "ns16550": the firmware looks for that first and keeps the real
                            one, the kernel takes the first "ns16550a", a UART that never answers
  exit-device-decoy         a "sifive,test0" at a virtio address ahead of the real one, which
                            the firmware finds first by "sifive,test1": the kernel's write to
                            it stops nothing, SBI SRST must
  test-reg-short            the exit device's reg shorter than its cells: the kernel refuses the
                            tree, and the firmware, resetting through that node, faults
  memory-none               no /memory node
  memory-size-zero          /memory's size is 0
  memory-1mib               /memory's size is 1 MiB (the kernel, at 2 MiB, lies beyond it)
  reserved-over-kernel      a /reserved-memory no-map region over the kernel at 0x80200000
  memreserve-over-kernel    a memory reservation block entry over the kernel at 0x80200000
The malformed ones touch nodes the firmware (OpenSBI 1.1) does not read, so the tree reaches the
kernel, which must refuse it. --raw writes QEMU's tree unedited (trimmed to its totalsize).

Python standard library only. The tree is read and written per the Devicetree Specification
v0.4, chapter 5; property values are kept as bytes.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

FDT_MAGIC = 0xD00DFEED
BEGIN_NODE, END_NODE, PROP, NOP, END = 1, 2, 3, 4, 9


class Node:
    def __init__(self, name):
        self.name = name
        self.props = []  # (name, bytes)
        self.children = []
        self.late_props = []  # (name, bytes) after the children: no well-formed tree has any
        self.reservations = []  # the root's only: the memory reservation block, (address, size)

    def child(self, name):
        for c in self.children:
            if c.name == name:
                return c
        raise KeyError(name)


def parse(blob):
    (magic, totalsize, off_struct, off_strings, off_rsvmap, version, _last_comp, boot_cpuid,
     size_strings, size_struct) = struct.unpack_from(">10I", blob, 0)
    if magic != FDT_MAGIC:
        raise ValueError("not a device tree (bad magic)")
    rsv = []
    at = off_rsvmap
    while True:
        addr, size = struct.unpack_from(">QQ", blob, at)
        at += 16
        if addr == 0 and size == 0:
            break
        rsv.append((addr, size))
    strings = blob[off_strings:off_strings + size_strings]
    at, end = off_struct, off_struct + size_struct
    stack, root = [], None
    while at < end:
        (token,) = struct.unpack_from(">I", blob, at)
        at += 4
        if token == BEGIN_NODE:
            nul = blob.index(b"\0", at)
            node = Node(blob[at:nul].decode())
            at = (nul + 1 + 3) & ~3
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
            stack.append(node)
        elif token == PROP:
            length, nameoff = struct.unpack_from(">II", blob, at)
            at += 8
            name = strings[nameoff:strings.index(b"\0", nameoff)].decode()
            stack[-1].props.append((name, bytes(blob[at:at + length])))
            at = (at + length + 3) & ~3
        elif token == END_NODE:
            stack.pop()
        elif token == NOP:
            pass
        elif token == END:
            break
        else:
            raise ValueError(f"unknown token {token} at {at - 4}")
    root.reservations = rsv
    return root, boot_cpuid


def serialize(root, boot_cpuid):
    strings, offsets = bytearray(), {}
    body = bytearray()

    def name_offset(name):
        if name not in offsets:
            offsets[name] = len(strings)
            strings.extend(name.encode() + b"\0")
        return offsets[name]

    def emit(node):
        body.extend(struct.pack(">I", BEGIN_NODE))
        body.extend(node.name.encode() + b"\0")
        body.extend(b"\0" * (-len(body) % 4))
        for name, value in node.props:
            body.extend(struct.pack(">III", PROP, len(value), name_offset(name)))
            body.extend(value)
            body.extend(b"\0" * (-len(body) % 4))
        for c in node.children:
            emit(c)
        for name, value in node.late_props:
            body.extend(struct.pack(">III", PROP, len(value), name_offset(name)))
            body.extend(value)
            body.extend(b"\0" * (-len(body) % 4))
        body.extend(struct.pack(">I", END_NODE))

    emit(root)
    body.extend(struct.pack(">I", END))
    rsvmap = b"".join(struct.pack(">QQ", a, s) for a, s in root.reservations)
    rsvmap += struct.pack(">QQ", 0, 0)
    off_rsvmap = 40  # 8-aligned
    off_struct = off_rsvmap + len(rsvmap)
    off_strings = off_struct + len(body)
    total = off_strings + len(strings)
    header = struct.pack(">10I", FDT_MAGIC, total, off_struct, off_strings, off_rsvmap, 17, 16,
                         boot_cpuid, len(strings), len(body))
    return header + rsvmap + bytes(body) + bytes(strings)


def boot_hart_last(root):
    cpus = root.child("cpus")
    first = cpus.child("cpu@0")
    cpus.children.remove(first)
    last = max(i for i, c in enumerate(cpus.children) if c.name.startswith("cpu@"))
    cpus.children.insert(last + 1, first)


def first_virtio(root):
    soc = root.child("soc")
    return next(c for c in soc.children if c.name.startswith("virtio_mmio@"))


def set_prop(node, name, value):
    node.props = [(n, value if n == name else v) for n, v in node.props]


def virtio_compatible_no_nul(root):
    node = first_virtio(root)
    set_prop(node, "compatible", dict(node.props)["compatible"][:-1])


def virtio_reg_short(root):
    node = first_virtio(root)
    set_prop(node, "reg", dict(node.props)["reg"][:4])


def cpus_no_harts(root):
    for c in root.child("cpus").children:
        c.props = [(n, v) for n, v in c.props if n != "device_type"]


def virtio_long_prop_name(root):
    first_virtio(root).props.append(("x" * 40, b""))


def timebase_two_cells(root):
    set_prop(root.child("cpus"), "timebase-frequency", struct.pack(">Q", 4_300_000_000))


def cpu_reg_twice(root):
    root.child("cpus").child("cpu@1").props.append(("reg", struct.pack(">I", 7)))


def second_chosen(root):
    chosen = Node("chosen")
    chosen.props.append(("bootargs", b"neuron.fail=qos_ordering\0"))
    root.children.append(chosen)


def prop_after_subnode(root):
    root.child("soc").late_props.append(("x-late", b""))


def uart_nested_decoy(root):
    uart = next(c for c in root.child("soc").children if c.name.startswith("serial@"))
    decoy = Node("decoy@10001000")
    decoy.props.append(("compatible", b"ns16550a\0"))
    decoy.props.append(("reg", struct.pack(">III", 0, 0x10001000, 0x100)))  # uart's 2+1 cells
    uart.children.append(decoy)


def uart_decoy_first(root):
    soc = root.child("soc")
    decoy = Node("serial@10001000")
    decoy.props.append(("compatible", b"ns16550a\0"))
    decoy.props.append(("reg", struct.pack(">IIII", 0, 0x10001000, 0, 0x100)))  # /soc: 2+2 cells
    soc.children.insert(0, decoy)


def stdout_path_alias(root):
    uart_decoy_first(root)
    aliases = Node("aliases")
    aliases.props.append(("serial0", b"/soc/serial@10000000\0"))
    root.children.insert(0, aliases)
    set_prop(root.child("chosen"), "stdout-path", b"serial0:115200n8\0")


def no_stdout_path_decoy(root):
    uart_decoy_first(root)
    chosen = root.child("chosen")
    chosen.props = [(n, v) for n, v in chosen.props if n != "stdout-path"]
    set_prop(root.child("soc").child("serial@10000000"), "compatible", b"ns16550\0ns16550a\0")


def exit_device_decoy(root):
    decoy = Node("test@10001000")
    decoy.props.append(("compatible", b"sifive,test0\0"))
    decoy.props.append(("reg", struct.pack(">IIII", 0, 0x10001000, 0, 0x1000)))  # /soc: 2+2 cells
    root.child("soc").children.insert(0, decoy)


def test_reg_short(root):
    node = root.child("soc").child("test@100000")
    set_prop(node, "reg", dict(node.props)["reg"][:4])


def memory_node(root):
    return next(c for c in root.children if c.name.startswith("memory@"))


def memory_none(root):
    root.children.remove(memory_node(root))


def memory_size(size):
    def edit(root):
        node = memory_node(root)
        base = dict(node.props)["reg"][:8]  # the root's 2 + 2 cells
        set_prop(node, "reg", base + struct.pack(">Q", size))
    return edit


def reserved_over_kernel(root):
    resv = Node("reserved-memory")
    resv.props += [("#address-cells", struct.pack(">I", 2)), ("#size-cells", struct.pack(">I", 2)),
                   ("ranges", b"")]
    region = Node("blob@80200000")
    region.props += [("reg", struct.pack(">QQ", 0x80200000, 0x10000)), ("no-map", b"")]
    resv.children.append(region)
    root.children.append(resv)


def memreserve_over_kernel(root):
    root.reservations.append((0x80200000, 0x10000))


EDITS = {
    "boot-hart-last": boot_hart_last,
    "virtio-compatible-no-nul": virtio_compatible_no_nul,
    "virtio-reg-short": virtio_reg_short,
    "cpus-no-harts": cpus_no_harts,
    "virtio-long-prop-name": virtio_long_prop_name,
    "timebase-two-cells": timebase_two_cells,
    "cpu-reg-twice": cpu_reg_twice,
    "second-chosen": second_chosen,
    "prop-after-subnode": prop_after_subnode,
    "uart-nested-decoy": uart_nested_decoy,
    "uart-decoy-first": uart_decoy_first,
    "stdout-path-alias": stdout_path_alias,
    "no-stdout-path-decoy": no_stdout_path_decoy,
    "exit-device-decoy": exit_device_decoy,
    "test-reg-short": test_reg_short,
    "memory-none": memory_none,
    "memory-size-zero": memory_size(0),
    "memory-1mib": memory_size(1 << 20),
    "reserved-over-kernel": reserved_over_kernel,
    "memreserve-over-kernel": memreserve_over_kernel,
}


def qemu_tree(smp):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "virt.dtb")
        cmd = ["qemu-system-riscv64", "-machine", f"virt,dumpdtb={path}", "-smp", str(smp),
               "-m", "128M", "-nographic", "-bios", "default"]
        r = subprocess.run(cmd, capture_output=True, timeout=60)
        if r.returncode != 0 or not os.path.exists(path):
            sys.exit(f"dtb.py: {' '.join(cmd)} failed: {r.stderr.decode().strip()}")
        with open(path, "rb") as f:
            return f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smp", type=int, required=True, help="harts in QEMU's tree")
    ap.add_argument("--out", required=True, help="DTB file to write")
    ap.add_argument("--edit", action="append", default=[], choices=sorted(EDITS),
                    help="an edit to apply (repeatable)")
    ap.add_argument("--raw", action="store_true", help="QEMU's tree as it is, trimmed")
    args = ap.parse_args()
    blob = qemu_tree(args.smp)
    if args.raw:
        (total,) = struct.unpack_from(">I", blob, 4)
        with open(args.out, "wb") as f:
            f.write(blob[:total])
        return
    root, boot = parse(blob)
    for e in args.edit:
        EDITS[e](root)
    with open(args.out, "wb") as f:
        f.write(serialize(root, boot))


if __name__ == "__main__":
    main()
