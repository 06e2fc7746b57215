#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
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
	# the PKCS#11 headers and p11_kit_remote_serve_module() (the agent)
	('p11-kit-1', 'P11KIT', '0.23'),
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
		       help='where Python modules go [/usr: '
		       '/usr/lib/python3/dist-packages, else '
		       'PREFIX/lib/python3.X/dist-packages]')
	opt.add_option('--with-pamconfigdir', default='/usr/share/pam-configs',
		       help='where pam-auth-update profiles go '
		       '[/usr/share/pam-configs, the only place it reads]')
	opt.add_option('--with-systemduserunitdir', default=None,
		       help='where systemd user units go '
		       '[PREFIX/lib/systemd/user]')
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
	_lazy_libs(conf)


# Loaded on first use (source/lib/lazylib.h): compiled against their
# headers, never linked, so a run that does not need them does not pay
# for their dependencies in the dynamic linker.
LAZY_LIBS = [
	('SMBCLIENT', 'CR_LIBSMBCLIENT_SONAME', 'libsmbclient.so.0'),
	('DCERPC', 'CR_LIBDCERPC_SONAME', 'libdcerpc.so.0'),
	('KRB5', 'CR_LIBKRB5_SONAME', 'libkrb5.so.3'),
]


def _lazy_libs(conf):
	for uselib, define, soname in LAZY_LIBS:
		for var in ('INCLUDES', 'CFLAGS', 'DEFINES'):
			conf.env[var + '_' + uselib + '_HEADERS'] = \
				conf.env[var + '_' + uselib]
		conf.check_cc(fragment='#include <dlfcn.h>\n'
			      'int main(void) { return dlopen("%s", '
			      'RTLD_NOW) == 0; }\n' % soname,
			      execute=True,
			      msg='Checking that %s loads' % soname)
		conf.define(define, soname)


def _install_dirs(conf):
	"""Where installed files go (README.md, "Installed files").  What a
	foreign program loads goes where that program looks, whatever the
	prefix: PAM modules in Debian's PAM directory, the ldb module in the
	directory libldb was built with, pam-auth-update profiles in the one
	directory it reads."""
	opts = Options.options
	prefix = conf.env.PREFIX
	pamdir = opts.with_pammodulesdir
	if not pamdir:
		multiarch = conf.cmd_and_log(conf.env.CC + ['-print-multiarch'],
					     quiet=Context.BOTH).strip()
		pamdir = '/lib/%s/security' % multiarch
		if not multiarch or not os.path.isdir(pamdir):
			pamdir = os.path.join(conf.env.LIBDIR, 'security')
	conf.env.PAMMODULESDIR = pamdir
	conf.env.LDBMODULESDIR = (opts.with_ldbmodulesdir or
				  conf.cmd_and_log(['pkg-config',
					'--variable=modulesdir', 'ldb'],
					quiet=Context.BOTH).strip())
	pyver = conf.cmd_and_log(['pkg-config', '--modversion', 'python3'],
				 quiet=Context.BOTH).strip()
	if opts.with_pythondir:
		conf.env.PYTHONDIR = opts.with_pythondir
	elif prefix == '/usr':
		conf.env.PYTHONDIR = '/usr/lib/python3/dist-packages'
	else:
		conf.env.PYTHONDIR = os.path.join(prefix, 'lib',
			'python' + pyver, 'dist-packages')
	conf.env.PAMCONFIGDIR = opts.with_pamconfigdir
	conf.env.SYSTEMDUSERUNITDIR = (opts.with_systemduserunitdir or
		os.path.join(prefix, 'lib', 'systemd', 'user'))
	conf.env.DOCDIR = os.path.join(prefix, 'share', 'doc', 'credroam')
	for var in ('PAMMODULESDIR', 'LDBMODULESDIR', 'PYTHONDIR',
		    'PAMCONFIGDIR', 'SYSTEMDUSERUNITDIR', 'DOCDIR'):
		conf.msg('Install %s' % var, conf.env[var])


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
	_install_dirs(conf)
	conf.env.SYSCONFDIR = conf.env.SYSCONFDIR or os.path.join(prefix,
								  'etc')
	conf.env.DATADIR = os.path.join(prefix, 'share')
	conf.env.MANDIR = os.path.join(prefix, 'share', 'man')
	conf.find_program('xsltproc', var='XSLTPROC', mandatory=False)
	conf.define('CREDROAM_VERSION', VERSION)
	conf.define('CREDROAM_SYSCONFDIR', conf.env.SYSCONFDIR)
	# what `credroam status` loads to ask the agent, as clients do
	conf.define('CR_P11KIT_CLIENT', os.path.join(conf.check_cfg(
		package='p11-kit-1', variables=['p11_module_path'],
		uselib_store='P11KIT_VARS') and
		conf.env.P11KIT_VARS_p11_module_path or '/usr/lib/pkcs11',
		'p11-kit-client.so'))
	# what `credroam register` writes into NSS databases (nss_module/)
	conf.define('CREDROAM_NSS_MODULE', os.path.join(conf.env.LIBDIR,
			'pkcs11', 'credroam-pkcs11.so'))
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
	bld.recurse('ldb_modules')
	bld.recurse('testprogs')
	bld.recurse('fuzz')
	if bld.variant != 'fuzz':
		bld.recurse('bench')
		bld.recurse('source/tools')
		bld.recurse('winbind_plugin')
		bld.recurse('nss_module')
		bld.recurse('source/python')
		bld.recurse('docs-xml')


for _variant in ('asan', 'fuzz'):
	for _ctx in (Build.BuildContext, Build.CleanContext):
		_name = _ctx.__name__.replace('Context', '').lower()
		type('%s_%s' % (_name, _variant), (_ctx,), {
			'cmd': '%s_%s' % (_name, _variant),
			'variant': _variant,
		})
