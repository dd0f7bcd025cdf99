"""Blank the GPU code of a CUDA shared library that a given GPU will never load.

    python3 bench/fatbin_keep.py LIB.so 90 [more archs...]

A CUDA library's .nv_fatbin section holds one machine-code (cubin) entry per GPU architecture it
was built for, plus PTX. The driver loads the cubin whose architecture matches the GPU. This
script zeroes the payload of every other entry in place (headers stay, so the layout and every
offset are unchanged); zeroed bytes compress to almost nothing, which is how the 140 MB libmlx.so
of the mlx-cuda-13 wheel fits the size limit of a copy to the accelerator machine (see
bench/gpu_pack.sh). The library then runs only on GPUs of the kept architectures (90 = H100/H200).
"""
import struct
import subprocess
import sys

FATBIN_MAGIC = 0xBA55ED50
KIND_CUBIN = 2


def section(path: str, name: str) -> tuple[int, int]:
    out = subprocess.check_output(["readelf", "-SW", path], text=True)
    for line in out.splitlines():
        parts = line.split()
        if name in parts:
            i = parts.index(name)
            return int(parts[i + 3], 16), int(parts[i + 4], 16)
    raise SystemExit(f"{path}: no {name} section")


def main() -> None:
    path, keep = sys.argv[1], {int(a) for a in sys.argv[2:]}
    if not keep:
        raise SystemExit("name at least one architecture to keep, e.g. 90")
    data = bytearray(open(path, "rb").read())
    off, size = section(path, ".nv_fatbin")
    pos, kept, zeroed = off, 0, 0
    while pos + 16 <= off + size:
        magic, _version, header_size, body_size = struct.unpack_from("<IHHQ", data, pos)
        if magic != FATBIN_MAGIC:
            pos += 8  # fatbins are 8-byte aligned inside the section
            continue
        p, end = pos + header_size, pos + header_size + body_size
        while p < end:
            kind, _, entry_header, payload = struct.unpack_from("<HHIQ", data, p)
            arch = struct.unpack_from("<I", data, p + 28)[0]
            start = p + entry_header
            if kind == KIND_CUBIN and arch in keep:
                kept += payload
            else:
                data[start : start + payload] = bytes(payload)
                zeroed += payload
            p = start + payload
        pos = end
    if kept == 0:
        raise SystemExit(f"{path}: no cubin for architectures {sorted(keep)}; nothing written")
    open(path, "wb").write(data)
    print(f"{path}: kept {kept} bytes of cubins for sm_{sorted(keep)}, zeroed {zeroed} bytes")


if __name__ == "__main__":
    main()
