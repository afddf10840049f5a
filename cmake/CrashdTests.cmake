# SPDX-License-Identifier: GPL-2.0-or-later
# crashd_root_test(): how every test that runs as root against the real
# core_pattern is registered (tests/{integration,daemon,cli,reliability,
# packaging,lib}).  They all go through tests/integration/lib.sh, which
# takes core_pattern's lock: one RESOURCE_LOCK, 77 for a skip, the built
# programs in the environment, and a TIMEOUT of lib.sh's wait for the lock
# plus the test's own time.

# lib.sh's wait for the lock (flock -w), read from lib.sh itself so that
# the two cannot drift apart: a test killed while it waits fails for the
# wrong reason.
file(STRINGS ${PROJECT_SOURCE_DIR}/tests/integration/lib.sh _crashd_flock
	REGEX "flock -w [0-9]+")
string(REGEX MATCH "flock -w ([0-9]+)" _crashd_flock "${_crashd_flock}")
if(NOT CMAKE_MATCH_1)
	message(FATAL_ERROR
		"tests/integration/lib.sh: no 'flock -w <seconds>' found")
endif()
set(CRASHD_LOCK_WAIT ${CMAKE_MATCH_1})

# crashd_root_test(<test name> <script>
#                  [ARGS <arg>...]
#                  [BUDGET <seconds>]  the test's own time, default 120
#                  [NO_DAEMON]         no CRASHD_DAEMON: the test runs the
#                                      daemon it installs, not the build's
#                  [ENV <VAR=value>...])
# <script> is relative to the calling CMakeLists.txt's directory and runs
# under bash.
function(crashd_root_test name script)
	cmake_parse_arguments(PARSE_ARGV 2 arg "NO_DAEMON" "BUDGET" "ARGS;ENV")
	if(arg_UNPARSED_ARGUMENTS)
		message(FATAL_ERROR
			"crashd_root_test(${name}): unknown ${arg_UNPARSED_ARGUMENTS}")
	endif()
	if(NOT arg_BUDGET)
		set(arg_BUDGET 120)
	endif()
	math(EXPR timeout "${CRASHD_LOCK_WAIT} + ${arg_BUDGET}")

	set(env
		"CRASHD_HOOK=$<TARGET_FILE:crashd-hook>"
		"CRASHD_CLI=$<TARGET_FILE:crashd-cli>"
		"CRASHD_VICTIM=$<TARGET_FILE:victim>")
	if(NOT arg_NO_DAEMON)
		list(APPEND env "CRASHD_DAEMON=$<TARGET_FILE:crashd>")
	endif()
	list(APPEND env "CRASHD_SANITIZE=$<BOOL:${CRASHD_SANITIZE}>" ${arg_ENV})

	add_test(NAME ${name}
		COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${script} ${arg_ARGS})
	set_tests_properties(${name} PROPERTIES
		RESOURCE_LOCK core_pattern
		SKIP_RETURN_CODE 77
		TIMEOUT ${timeout}
		ENVIRONMENT "${env}")
endfunction()
