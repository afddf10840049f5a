# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the shipped crashd.conf, at install time, without ever
# replacing an existing one: an operator's edits stay, and the new default
# goes beside it as crashd.conf.new (as dpkg does with conffiles).
# Set by the install(CODE) before it: CRASHD_CONF_SRC, CRASHD_CONF_DIR
# (relative to the install prefix unless absolute).
if(IS_ABSOLUTE "${CRASHD_CONF_DIR}")
	set(dir "$ENV{DESTDIR}${CRASHD_CONF_DIR}")
else()
	set(dir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${CRASHD_CONF_DIR}")
endif()
set(dest "${dir}/crashd.conf")
file(MAKE_DIRECTORY "${dir}")
if(NOT EXISTS "${dest}")
	message(STATUS "Installing: ${dest}")
	configure_file("${CRASHD_CONF_SRC}" "${dest}" COPYONLY)
	list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${dest}")
else()
	file(READ "${dest}" have)
	file(READ "${CRASHD_CONF_SRC}" shipped)
	if(have STREQUAL shipped)
		message(STATUS "Up-to-date: ${dest}")
	else()
		message(STATUS "Keeping: ${dest} (changed); the shipped one is ${dest}.new")
		configure_file("${CRASHD_CONF_SRC}" "${dest}.new" COPYONLY)
		list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${dest}.new")
	endif()
endif()
