#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check_layers.py - the library's shape, checked (HACKING.md, "The map").

Fails when
  * a file of source/lib includes a header of a higher layer (or of a
    folder beside its own that its layer may not use), or a header by a
    path that hides its folder ("../x.h", or a bare "x.h" of another
    folder);
  * two files of the library depend on each other both ways, directly or
    through others: the graph of "a.c/a.h includes b.h" between modules
    (a module is x.c with its x.h) has no cycle;
  * a file outside source/lib includes a library header without its
    folder.

Prints one line per problem, then "N passed, N failed".
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(TOP, 'source', 'lib')

# folder -> the folders its files may include (besides its own)
MAY_USE = {
    'util': set(),
    'format': {'util'},
    'dpapi': {'util'},
    'ad': {'util', 'format'},
    'store': {'util', 'format', 'dpapi'},
    'gpo': {'util', 'format', 'ad'},
    'keys': {'util', 'format', 'dpapi', 'ad'},
    'roam': {'util', 'format', 'dpapi', 'ad', 'store', 'gpo', 'keys'},
    'p11': {'util', 'format', 'dpapi', 'ad', 'store', 'keys'},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def lib_files():
    for folder in sorted(os.listdir(LIB)):
        d = os.path.join(LIB, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(('.c', '.h')):
                yield folder, os.path.join(folder, name)


def main():
    problems = []
    checked = 0
    modules = {}            # "folder/x" -> set of "folder/y"
    for folder, rel in lib_files():
        checked += 1
        if folder not in MAY_USE:
            problems.append('%s: folder %s is not in the map '
                            '(testprogs/check_layers.py MAY_USE)' %
                            (rel, folder))
            continue
        text = open(os.path.join(LIB, rel)).read()
        mod = rel[:-2]
        deps = modules.setdefault(mod, set())
        for inc in INCLUDE.findall(text):
            if inc == 'config.h':
                continue
            if inc.startswith('../') or '/' not in inc:
                problems.append('%s: includes "%s": name library headers '
                                'by their folder ("util/error.h")' %
                                (rel, inc))
                continue
            target = inc.split('/')[0]
            if not os.path.exists(os.path.join(LIB, inc)):
                problems.append('%s: includes "%s", which does not exist' %
                                (rel, inc))
                continue
            if target != folder and target not in MAY_USE[folder]:
                problems.append('%s: includes "%s": %s/ may not use %s/ '
                                '(a higher layer or a sibling)' %
                                (rel, inc, folder, target))
            dep = inc[:-2]
            if dep != mod:
                deps.add(dep)

    # cycles between modules (Tarjan would name every component; a DFS
    # that reports the first back edge of each is enough to fail on)
    state = {}
    stack = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(modules.get(m, ())):
            if state.get(d) == 1:
                cyc = stack[stack.index(d):] + [d]
                problems.append('cycle: ' + ' -> '.join(cyc))
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m)

    # outside the library: headers by folder
    headers = {}
    for folder, rel in lib_files():
        if rel.endswith('.h'):
            headers.setdefault(os.path.basename(rel), []).append(rel)
    for sub in ('source/tools', 'source/python', 'winbind_plugin',
                'ldb_modules', 'testprogs', 'fuzz', 'bench'):
        for root, _, names in os.walk(os.path.join(TOP, sub)):
            for name in names:
                if not name.endswith(('.c', '.h')):
                    continue
                path = os.path.join(root, name)
                text = open(path).read()
                checked += 1
                for inc in INCLUDE.findall(text):
                    local = os.path.exists(os.path.join(root, inc))
                    if '/' not in inc and inc in headers and not local:
                        problems.append('%s: includes "%s": say %s' % (
                            os.path.relpath(path, TOP), inc,
                            ' or '.join('"%s"' % h for h in
                                        headers[inc])))

    for p in problems:
        print(p)
    print('%d passed, %d failed' % (checked - min(checked, len(problems)),
                                    len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
