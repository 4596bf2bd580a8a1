"""Reads a Dockerfile into instructions and stages (for the packaging tests: no Docker engine runs
on the development and CI machines)."""
import re


def instructions(path):
    """[(INSTRUCTION, argument text)], continuation lines joined, comments dropped."""
    out, pending = [], ""
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.lstrip().startswith("#"):
                continue  # comment inside a continued RUN
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            full = (pending + line).strip()
            pending = ""
            word, _, rest = full.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def stages(instrs):
    """[(base image, stage name, [instructions])], ARG defaults before the first FROM resolved."""
    args, result = {}, []
    for word, rest in instrs:
        if word == "ARG" and not result:
            name, _, default = rest.partition("=")
            args[name] = default
        elif word == "FROM":
            m = re.match(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$", rest, re.I)
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda g: args.get(g.group(1) or g.group(2), ""), m.group(1))
            result.append((image, m.group(2), []))
        elif result:
            result[-1][2].append((word, rest))
    return result
