namespace Aisbx.Mcp.Sandboxes;

/// <summary>The sandbox tools' JSON schemas: what each argument means, and the exact shape of each answer.</summary>
internal static class SandboxToolSchemas
{
    private const string SandboxIdArgument = """
        "sandboxId": { "type": "string", "description": "The sandbox's handle (sbx-...), as aisbx-sandbox-create returned it." }
        """;

    private const string ProcessIdArgument = """
        "processId": { "type": "integer", "minimum": 1, "description": "The background process, as aisbx-sandbox-exec returned it for background: true." }
        """;

    private const string Duration = """{ "type": ["string", "number"] """;

    public const string CreateInput = $$"""
        {
          "type": "object",
          "properties": {
            "profile": { "type": "string", "description": "The sandbox profile (default: default): python-dev, node-dev, go-dev, rust-dev, java-dev, strict, minimal, or one of the operator's. See aisbx-profile-list." },
            "env": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Environment variables every exec in the sandbox gets (an exec's own env wins)." },
            "network": { "type": "string", "enum": ["none", "host", "allowlist"], "description": "Network access, where the profile allows it: none (loopback only), host, or allowlist (only the listed hosts, through a proxy that also refuses private addresses). Default: the profile's (usually none)." },
            "allowHosts": { "type": "array", "items": { "type": "string" }, "description": "With network allowlist (implied when network is left out): the hosts the program may reach, narrowing the profile's allow list (never widening it), e.g. [\"pypi.org\", \"*.example.org\", \"registry.example:8443\"]; no port means 80 and 443. Default: the profile's list (see aisbx-profile-list)." },
            "memory": { "type": ["string", "integer"], "description": "Memory of the whole sandbox (all its processes, /tmp and /workspace), e.g. \"256M\" or a number of bytes. At most the profile's." },
            "pids": { "type": "integer", "minimum": 1, "description": "Processes the sandbox may hold at once. At most the profile's." },
            "cpuTime": {{Duration}}, "description": "CPU time of all its execs together; when spent, the sandbox closes. Seconds, or a string like \"5m\"." },
            "idleTimeout": {{Duration}}, "description": "No call for this long closes the sandbox (default 10 minutes, or the server's). Seconds, or a string like \"30s\"; only lower than the default." },
            "maxLifetime": {{Duration}}, "description": "The sandbox closes this long after its creation, whatever happens (default 1 hour, or the server's); only lower." },
            "files": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Text files to place in /workspace first: relative path (e.g. \"src/main.py\") to content." }
          },
          "additionalProperties": false
        }
        """;

    public const string CreateOutput = """
        {
          "type": "object",
          "properties": {
            "sandboxId": { "type": "string", "description": "The handle: pass it as sandboxId to the other aisbx-sandbox-*, aisbx-file-* and aisbx-process-* tools." },
            "profile": { "type": "string" },
            "createdAt": { "type": "string", "format": "date-time" },
            "expiresAt": { "type": "string", "format": "date-time", "description": "When the sandbox closes if no call comes: the idle timeout or the lifetime, whichever is first." },
            "idleTimeout": { "type": "number", "description": "Seconds without a call after which the sandbox closes." },
            "maxLifetime": { "type": "number", "description": "Seconds after its creation at which the sandbox closes." }
          },
          "required": ["sandboxId", "profile", "createdAt", "expiresAt", "idleTimeout", "maxLifetime"],
          "additionalProperties": false
        }
        """;

    public const string ExecInput = $$"""
        {
          "type": "object",
          "properties": {
            {{SandboxIdArgument}},
            "command": { "type": "array", "items": { "type": "string" }, "minItems": 1, "description": "The program and its arguments, e.g. [\"python3\", \"main.py\"]. Give this or code, not both." },
            "code": { "type": "string", "description": "A snippet to run with the interpreter of 'language', instead of a command." },
            "language": { "type": "string", "enum": ["python", "node", "javascript", "bash", "sh", "perl", "ruby"], "description": "The snippet's language." },
            "cwd": { "type": "string", "description": "The working directory: relative to /workspace, or under /workspace or /tmp (default /workspace). Per exec." },
            "env": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Extra environment variables for this exec." },
            "stdin": { "type": "string", "description": "Text given to the program on standard input (then closed). For a background process, use aisbx-process-write instead to keep it open." },
            "timeout": {{Duration}}, "description": "This exec's wall-clock limit: seconds, or a string like \"30s\". At most the profile's. It ends this exec only; the sandbox lives on." },
            "background": { "type": "boolean", "description": "Start the program and return its processId at once (a server, a long job); read its output with aisbx-process-read." }
          },
          "required": ["sandboxId"],
          "additionalProperties": false
        }
        """;

    private const string BackgroundStarted = """
        {
          "type": "object",
          "properties": {
            "sandboxId": { "type": "string" },
            "processId": { "type": "integer", "description": "Read its output with aisbx-process-read, write to its stdin with aisbx-process-write, signal it with aisbx-process-signal." }
          },
          "required": ["sandboxId", "processId"],
          "additionalProperties": false
        }
        """;

    /// <summary>The run result document of a foreground exec (or of a background one that could not start), or the started process.</summary>
    public const string ExecOutput = $$"""
        {
          "type": "object",
          "anyOf": [
            {{ToolSchemas.RunOutput}},
            {{BackgroundStarted}}
          ]
        }
        """;

    public const string FileWriteInput = $$"""
        {
          "type": "object",
          "properties": {
            {{SandboxIdArgument}},
            "path": { "type": "string", "description": "Where: relative to /workspace (e.g. \"src/main.py\"), or under /workspace or /tmp. Missing parent directories are created; an existing file is replaced." },
            "content": { "type": "string", "description": "The file's text (written as UTF-8). Give this or contentBase64." },
            "contentBase64": { "type": "string", "contentEncoding": "base64", "description": "The file's bytes in base64, for binary files. Give this or content." },
            "mode": { "type": ["string", "integer"], "description": "Permission bits in octal: a string like \"0755\" (executable) or a number like 644 (digits read as octal, as chmod does). Default \"0644\"." }
          },
          "required": ["sandboxId", "path"],
          "additionalProperties": false
        }
        """;

    public const string FileWriteOutput = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The file's absolute path in the sandbox." },
            "bytes": { "type": "integer", "description": "The bytes written." }
          },
          "required": ["path", "bytes"],
          "additionalProperties": false
        }
        """;

    public const string FileReadInput = $$"""
        {
          "type": "object",
          "properties": {
            {{SandboxIdArgument}},
            "path": { "type": "string", "description": "A file (or a directory, which is listed): relative to /workspace, or under /workspace or /tmp." }
          },
          "required": ["sandboxId", "path"],
          "additionalProperties": false
        }
        """;

    private const string Listing = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The directory's absolute path in the sandbox." },
            "entries": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "name": { "type": "string" },
                  "type": { "type": "string", "enum": ["file", "directory", "symlink", "other"] },
                  "size": { "type": "integer", "description": "Bytes (of a file; of the link itself for a symlink)." },
                  "mtime": { "type": "string", "format": "date-time" }
                },
                "required": ["name", "type", "size", "mtime"],
                "additionalProperties": false
              }
            },
            "truncated": { "type": "boolean", "description": "The directory holds more entries than one listing gives (10000)." }
          },
          "required": ["path", "entries", "truncated"],
          "additionalProperties": false
        }
        """;

    private const string FileContent = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The file's absolute path in the sandbox." },
            "size": { "type": "integer", "description": "The file's bytes." },
            "contentBase64": { "type": "string", "contentEncoding": "base64", "description": "The file's bytes in base64, always." },
            "content": { "type": "string", "description": "The file as text; present only when its bytes are valid UTF-8." }
          },
          "required": ["path", "size", "contentBase64"],
          "additionalProperties": false
        }
        """;

    /// <summary>A file's content, or (for a directory) its listing.</summary>
    public const string FileReadOutput = $$"""
        {
          "type": "object",
          "anyOf": [
            {{FileContent}},
            {{Listing}}
          ]
        }
        """;

    public const string FileListInput = $$"""
        {
          "type": "object",
          "properties": {
            {{SandboxIdArgument}},
            "path": { "type": "string", "description": "The directory: relative to /workspace, or under /workspace or /tmp. Default /workspace." }
          },
          "required": ["sandboxId"],
          "additionalProperties": false
        }
        """;

    public const string FileListOutput = Listing;

    public const string ListInput = """
        { "type": "object", "properties": {}, "additionalProperties": false }
        """;

    public const string ListOutput = $$"""
        {
          "type": "object",
          "properties": {
            "sandboxes": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "sandboxId": { "type": "string" },
                  "profile": { "type": "string" },
                  "state": { "type": "string", "enum": ["running", "ended"] },
                  "processes": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "properties": {
                        "processId": { "type": "integer" },
                        "command": { "type": "array", "items": { "type": "string" } },
                        "background": { "type": "boolean" },
                        "running": { "type": "boolean" },
                        "exitCode": { "type": ["integer", "null"] }
                      },
                      "required": ["processId", "command", "background", "running", "exitCode"],
                      "additionalProperties": false
                    }
                  },
                  "memoryBytes": { "type": ["integer", "null"], "description": "Memory the sandbox holds now (processes, /tmp, /workspace); null without a cgroup." },
                  "cpuTimeMs": { "type": ["number", "null"], "description": "CPU time of all its processes so far; null where the host keeps no count." },
                  "workspaceBytes": { "type": "integer" },
                  "workspaceLimitBytes": { "type": "integer" },
                  "idleForMs": { "type": "number" },
                  "network": {{ToolSchemas.NetworkReport}},
                  "createdAt": { "type": "string", "format": "date-time" },
                  "expiresAt": { "type": "string", "format": "date-time" }
                },
                "required": ["sandboxId", "profile", "state", "processes", "memoryBytes", "cpuTimeMs", "workspaceBytes", "workspaceLimitBytes", "idleForMs", "createdAt", "expiresAt"],
                "additionalProperties": false
              }
            }
          },
          "required": ["sandboxes"],
          "additionalProperties": false
        }
        """;

    public const string CloseInput = $$"""
        {
          "type": "object",
          "properties": {
            {{SandboxIdArgument}}
          },
          "required": ["sandboxId"],
          "additionalProperties": false
        }
        """;

    public const string CloseOutput = """
        {
          "type": "object",
          "properties": {
            "sandboxId": { "type": "string" },
            "closed": { "type": "boolean", "const": true }
          },
          "required": ["sandboxId", "closed"],
          "additionalProperties": false
        }
        """;

    public const string ProcessReadInput = $$"""
        {
          "type": "object",
          "properties": {
            {{SandboxIdArgument}},
            {{ProcessIdArgument}},
            "offset": { "type": "integer", "minimum": 0, "description": "Read stdout from this byte on: 0 at first, then the 'offset' the last read returned." },
            "stderrOffset": { "type": "integer", "minimum": 0, "description": "The same for stderr: 0, then the 'stderrOffset' the last read returned." },
            "wait": { "type": "boolean", "description": "Wait until the process has ended (at most 'timeout'), then read." },
            "timeout": {{Duration}}, "description": "With wait: the longest to wait, seconds or a string like \"2m\" (default 30s, at most 10m). If the process still runs then, the answer says running: true." }
          },
          "required": ["sandboxId", "processId"],
          "additionalProperties": false
        }
        """;

    public const string ProcessReadOutput = """
        {
          "type": "object",
          "properties": {
            "processId": { "type": "integer" },
            "running": { "type": "boolean" },
            "exitCode": { "type": ["integer", "null"], "description": "Once it ended: its exit code (128+N after signal N)." },
            "signal": { "type": ["integer", "null"], "description": "Once it ended: the signal that ended it, if one did." },
            "stdout": { "type": "string", "description": "What it wrote to stdout from the offset asked for (at most 1 MiB per read)." },
            "stderr": { "type": "string" },
            "offset": { "type": "integer", "description": "Where to read stdout from next time." },
            "stderrOffset": { "type": "integer", "description": "Where to read stderr from next time." },
            "dropped": { "type": "integer", "description": "Bytes of stdout from the offset asked for that are no longer kept (each stream keeps its last MiB)." },
            "stderrDropped": { "type": "integer" }
          },
          "required": ["processId", "running", "exitCode", "signal", "stdout", "stderr", "offset", "stderrOffset", "dropped", "stderrDropped"],
          "additionalProperties": false
        }
        """;

    public const string ProcessWriteInput = $$"""
        {
          "type": "object",
          "properties": {
            {{SandboxIdArgument}},
            {{ProcessIdArgument}},
            "stdin": { "type": "string", "description": "Text to write to the process's stdin (as UTF-8). Give this or stdinBase64, or neither with close: true." },
            "stdinBase64": { "type": "string", "contentEncoding": "base64", "description": "Bytes to write to its stdin, in base64." },
            "close": { "type": "boolean", "description": "Close its stdin once everything is written (it then reads end of file). Default false." }
          },
          "required": ["sandboxId", "processId"],
          "additionalProperties": false
        }
        """;

    public const string ProcessWriteOutput = """
        {
          "type": "object",
          "properties": {
            "sandboxId": { "type": "string" },
            "processId": { "type": "integer" },
            "bytes": { "type": "integer", "description": "The bytes handed to its stdin." },
            "closed": { "type": "boolean", "description": "Its stdin is closed once those are written." }
          },
          "required": ["sandboxId", "processId", "bytes", "closed"],
          "additionalProperties": false
        }
        """;

    public const string ProcessSignalInput = $$"""
        {
          "type": "object",
          "properties": {
            {{SandboxIdArgument}},
            {{ProcessIdArgument}},
            "signal": { "type": ["string", "integer"], "description": "TERM, INT, KILL, HUP, QUIT, USR1, USR2, STOP or CONT (with or without SIG), or its number. Sent to the process's whole process group." }
          },
          "required": ["sandboxId", "processId", "signal"],
          "additionalProperties": false
        }
        """;

    public const string ProcessSignalOutput = """
        {
          "type": "object",
          "properties": {
            "sandboxId": { "type": "string" },
            "processId": { "type": "integer" },
            "signal": { "type": "integer", "description": "The signal's number." }
          },
          "required": ["sandboxId", "processId", "signal"],
          "additionalProperties": false
        }
        """;
}
