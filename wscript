#!/usr/bin/env python3
# credroam: Windows Credential Roaming for Samba winbind members.
#
# Built with waf from Debian's samba source package
# (buildtools/bootstrap.sh puts it in .bootstrap/waf).  Like Samba, a
# `configure` script and a Makefile wrap it.
#
# Variants:
#   default  the product (-O2, -Werror with --enable-developer)
#   asan     the same code with AddressSanitizer + UndefinedBehaviorSanitizer
#            (`waf build_asan`), used by `make test` for the unit tests
#   fuzz     libFuzzer targets with clang (`waf build_fuzz`)

import os
from waflib import Build, Context, Logs, Options, Utils

APPNAME = 'credroam'
VERSION = '0.1.0'
top = '.'
out = 'bin'

# Only Samba's *public* libraries: a private one ties the binary to one exact
# Samba build (spec/samba-integration.md 1.6).
PKG_MODULES = [
	('talloc', 'TALLOC', '2.3'),
	('tevent', 'TEVENT', '0.10'),
	('ldb', 'LDB', '2.2'),
	('samba-util', 'SAMBA_UTIL', None),
	('samba-credentials', 'SAMBA_CREDENTIALS', None),
	('samba-hostconfig', 'SAMBA_HOSTCONFIG', None),
	('dcerpc', 'DCERPC', None),
	('ndr', 'NDR', None),
	('wbclient', 'WBCLIENT', None),
	('smbclient', 'SMBCLIENT', None),
	('gnutls', 'GNUTLS', '3.6'),
	('nettle', 'NETTLE', '3.4'),
	('jansson', 'JANSSON', '2.10'),
	('mit-krb5', 'KRB5', '1.18'),
	('libkeyutils', 'KEYUTILS', None),
	('cmocka', 'CMOCKA', '1.1'),
	('pam', 'PAM', None),
	('libpamtest', 'PAMTEST', None),
	('python3', 'PYEXT', None),
	('pytalloc-util.cpython-311-x86_64-linux-gnu', 'PYTALLOC', None),
	('pyldb-util.cpython-311-x86_64-linux-gnu', 'PYLDB', None),
]

WARNINGS = ['-Wall', '-Wextra', '-Wno-unused-parameter',
	    '-Wno-missing-field-initializers', '-Wshadow',
	    '-Wformat=2', '-Wstrict-prototypes', '-Wmissing-prototypes',
	    '-Wpointer-arith', '-Wcast-align', '-Wwrite-strings',
	    '-Wimplicit-fallthrough']


def options(opt):
	opt.load('compiler_c')
	opt.add_option('--enable-developer', action='store_true',
		       default=False, help='warnings are errors (CI builds)')
	opt.add_option('--with-pammodulesdir', default=None,
		       help='where PAM modules go [LIBDIR/security, '
		       'Debian: /lib/x86_64-linux-gnu/security]')
	opt.add_option('--with-ldbmodulesdir', default=None,
		       help='where the credroam_guard ldb module goes')
	opt.add_option('--with-pythondir', default=None,
		       help='where Python modules go')
	opt.add_option('--without-fuzzing', action='store_true',
		       default=False, help='do not configure the clang '
		       'libFuzzer variant')


def _check_pkgs(conf):
	for name, uselib, atleast in PKG_MODULES:
		args = ['--cflags', '--libs']
		conf.check_cfg(package=name, args=args, uselib_store=uselib,
			       atleast_version=atleast,
			       msg='Checking for %s%s' % (name,
			       ' >= ' + atleast if atleast else ''))
	# public libs without their own .pc files
	conf.check_cc(lib='samba-errors', uselib_store='SAMBA_ERRORS',
		      msg='Checking for libsamba-errors')
	conf.check_cc(lib='resolv', uselib_store='RESOLV',
		      msg='Checking for libresolv')


def configure(conf):
	conf.load('compiler_c')
	_check_pkgs(conf)

	conf.env.append_value('CFLAGS', ['-std=gnu11', '-g', '-O2',
		'-fno-strict-aliasing', '-D_GNU_SOURCE',
		'-D_FORTIFY_SOURCE=2', '-fstack-protector-strong'] + WARNINGS)
	if Options.options.enable_developer or os.environ.get('CI'):
		conf.env.append_value('CFLAGS', ['-Werror'])
	conf.env.append_value('LINKFLAGS', ['-Wl,-z,relro,-z,now',
					    '-Wl,--as-needed'])

	prefix = conf.env.PREFIX
	libdir = conf.env.LIBDIR or os.path.join(prefix, 'lib')
	# Linux-PAM only looks in its own multiarch dir (pkg-config pam)
	conf.check_cfg(package='pam', variables=['libdir'],
		       uselib_store='PAMDIR')
	conf.env.PAMMODULESDIR = (Options.options.with_pammodulesdir or
				  os.path.join(conf.env.PAMDIR_libdir or
					       libdir, 'security'))
	# where Samba's DC finds ldb modules (spec/dc-ldb-module.md 3.2)
	conf.check_cfg(package='ldb', variables=['modulesdir'],
		       uselib_store='LDB')
	conf.env.LDBMODULESDIR = (Options.options.with_ldbmodulesdir or
				  conf.env.LDB_modulesdir or
				  os.path.join(libdir, 'credroam', 'ldb'))
	conf.env.PYTHONDIR = (Options.options.with_pythondir or
			      os.path.join(libdir, 'python3', 'dist-packages'))
	conf.env.SYSCONFDIR = conf.env.SYSCONFDIR or os.path.join(prefix,
								  'etc')
	conf.env.DATADIR = os.path.join(prefix, 'share')
	conf.env.MANDIR = os.path.join(prefix, 'share', 'man')
	conf.find_program('xsltproc', var='XSLTPROC', mandatory=False)
	conf.define('CREDROAM_VERSION', VERSION)
	conf.define('CREDROAM_SYSCONFDIR', conf.env.SYSCONFDIR)
	# keep the defines in env so the asan and fuzz variants derive them
	conf.write_config_header('config.h', remove=False)

	base = conf.env

	conf.setenv('asan', env=base.derive())
	conf.env.append_value('CFLAGS', ['-O1', '-fno-omit-frame-pointer',
		'-fsanitize=address,undefined', '-fno-sanitize-recover=all'])
	conf.env.append_value('LINKFLAGS', ['-fsanitize=address,undefined'])
	# _FORTIFY_SOURCE and ASan disagree about who checks memcpy
	conf.env.CFLAGS = [f for f in conf.env.CFLAGS
			   if f != '-D_FORTIFY_SOURCE=2']
	conf.write_config_header('asan/config.h', remove=False)

	if not Options.options.without_fuzzing:
		conf.setenv('fuzz', env=base.derive())
		conf.env.CC = conf.find_program('clang')
		conf.env.LINK_CC = conf.env.CC
		conf.env.CFLAGS = [f for f in conf.env.CFLAGS
				   if f not in ('-D_FORTIFY_SOURCE=2', '-O2',
						'-Wimplicit-fallthrough',
						'-Werror')]
		conf.env.append_value('CFLAGS', ['-O1',
			'-fno-omit-frame-pointer',
			'-fsanitize=fuzzer-no-link,address,undefined'])
		conf.env.LINKFLAGS = ['-fsanitize=address,undefined']
		conf.env.FUZZ_LINKFLAGS = ['-fsanitize=fuzzer']
		conf.env.FUZZING = True
		conf.write_config_header('fuzz/config.h')
	conf.setenv('')


def build(bld):
	bld.env.VARIANT = bld.variant or 'default'
	bld.recurse('source/lib')
	bld.recurse('testprogs')
	bld.recurse('fuzz')
	if bld.variant != 'fuzz':
		bld.recurse('bench')
		bld.recurse('source/tools')
		bld.recurse('winbind_plugin')
		bld.recurse('ldb_modules')
		bld.recurse('source/python')
		bld.recurse('docs-xml')


for _variant in ('asan', 'fuzz'):
	for _ctx in (Build.BuildContext, Build.CleanContext):
		_name = _ctx.__name__.replace('Context', '').lower()
		type('%s_%s' % (_name, _variant), (_ctx,), {
			'cmd': '%s_%s' % (_name, _variant),
			'variant': _variant,
		})
