"""A cc_binary rebuilt with gcc's coverage instrumentation on replsim's code.

The project builds everything with one toolchain (Debian's gcc, .bazelrc).
`instrumented_binary` takes a cc_binary through a configuration transition
that adds `-fsanitize-coverage=trace-pc` to the copts, so that a plain
`bazel test //...` builds the fuzz target instrumented and every other
target as before. The transitioned configuration has its own output
directory: what the binary links is compiled a second time.

Bazel 4.2.3 cannot set --per_file_copt from a transition (the analysis
fails with a ClassCastException), so every C++ source the binary links is
instrumented, tools/ included; the fuzz target's own files opt out with
-fno-sanitize-coverage=trace-pc in their copts.
"""

_COPT = "//command_line_option:copt"

def _instrument(settings, attr):
    return {_COPT: settings[_COPT] + ["-fsanitize-coverage=trace-pc"]}

_instrument_transition = transition(
    implementation = _instrument,
    inputs = [_COPT],
    outputs = [_COPT],
)

def _impl(ctx):
    binary = ctx.attr.binary[0][DefaultInfo]
    exe = binary.files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = exe, is_executable = True)
    runfiles = ctx.runfiles(files = ctx.files.data).merge(binary.default_runfiles)
    return [DefaultInfo(executable = out, runfiles = runfiles)]

instrumented_binary = rule(
    implementation = _impl,
    doc = "The cc_binary `binary`, built with gcc's -fsanitize-coverage=trace-pc.",
    attrs = {
        "binary": attr.label(cfg = _instrument_transition, executable = True, mandatory = True),
        "data": attr.label_list(allow_files = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
    executable = True,
)
