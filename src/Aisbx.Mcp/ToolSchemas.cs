namespace Aisbx.Mcp;

/// <summary>The tools' JSON schemas, written out so that a model reads exactly what each argument means.</summary>
internal static class ToolSchemas
{
    public const string RunInput = """
        {
          "type": "object",
          "properties": {
            "command": { "type": "array", "items": { "type": "string" }, "minItems": 1, "description": "The program and its arguments, e.g. [\"python3\", \"-c\", \"print(1)\"]. Give this or code, not both." },
            "code": { "type": "string", "description": "A snippet to run with the interpreter of 'language', instead of a command." },
            "language": { "type": "string", "enum": ["python", "node", "javascript", "bash", "sh", "perl", "ruby"], "description": "The snippet's language; it also picks the profile unless 'profile' is given (python: python-dev, node: node-dev, others: default)." },
            "profile": { "type": "string", "description": "The sandbox profile: default, python-dev, node-dev, go-dev, rust-dev, java-dev, strict, minimal, or one of the operator's. See aisbx-profile-list." },
            "workdir": { "type": "string", "description": "A host directory to mount read-write at /workspace; it must lie inside a root the operator allows. Leave out for a fresh, empty workspace that is removed afterwards." },
            "timeout": { "type": ["string", "number"], "description": "Wall-clock limit: seconds as a number, or a string like \"500ms\", \"30s\", \"2m\". At most the profile's." },
            "env": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Extra environment variables for the program." },
            "stdin": { "type": "string", "description": "Text given to the program on standard input." },
            "files": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Files to create in the fresh workspace before the run: relative path (e.g. \"src/main.py\") to text content. Not with workdir." },
            "network": { "type": "string", "enum": ["none", "host", "allowlist"], "description": "Network access, where the profile allows it: none (loopback only), host, or allowlist (only the listed hosts, through a proxy that also refuses private addresses). Default: the profile's (usually none)." },
            "allowHosts": { "type": "array", "items": { "type": "string" }, "description": "With network allowlist (implied when network is left out): the hosts the program may reach, narrowing the profile's allow list (never widening it), e.g. [\"pypi.org\", \"*.example.org\", \"registry.example:8443\"]; no port means 80 and 443. Default: the profile's list (see aisbx-profile-list)." },
            "secrets": { "type": "array", "items": { "type": "string" }, "description": "Names of secrets from the operator's store to give the program as environment variables of those names; their values are redacted from the output. Each needs the key's secret:NAME scope." }
          },
          "additionalProperties": false
        }
        """;

    /// <summary>The run's network (a result's and a live sandbox's status's <c>network</c>).</summary>
    public const string NetworkReport = """
        { "type": ["object", "null"], "description": "The network the run had; with an allowlist, every connection its proxy saw (the first 200 listed, the totals count all).",
          "properties": {
            "mode": { "type": "string", "enum": ["none", "host", "allowlist"] },
            "allow": { "type": "array", "items": { "type": "string" } },
            "connections": { "type": "array", "items": { "type": "object", "properties": {
              "protocol": { "type": "string", "enum": ["connect", "http", "socks5"] },
              "host": { "type": "string" }, "port": { "type": "integer" },
              "verdict": { "type": "string", "enum": ["allowed", "refused", "failed"] },
              "rule": { "type": ["string", "null"], "description": "Why it was refused or failed, e.g. host-not-allowed, address-reserved, egress-bytes." },
              "address": { "type": ["string", "null"], "description": "The address it was pinned to." },
              "bytesOut": { "type": "integer" }, "bytesIn": { "type": "integer" }, "durationMs": { "type": "number" },
              "started": { "type": "string", "format": "date-time" } },
              "required": ["protocol", "host", "port", "verdict", "bytesOut", "bytesIn"] } },
            "connectionsNotListed": { "type": "integer" },
            "refused": { "type": "integer" },
            "bytesOut": { "type": "integer" },
            "bytesIn": { "type": "integer" }
          },
          "required": ["mode"] }
        """;

    public const string RunOutput = $$"""
        {
          "type": "object",
          "properties": {
            "sandboxId": { "type": "string" },
            "profile": { "type": "string" },
            "exitCode": { "type": "integer", "description": "The program's exit code; 128+N after signal N; 124 after the wall-clock limit; 126/127 when the command cannot be run or found; 137 when aisbx killed it (cancelled, a memory or CPU limit); 141 when its output was closed; 159 when a forbidden syscall ended the sandbox." },
            "signal": { "type": ["integer", "null"] },
            "timedOut": { "type": "boolean" },
            "durationMs": { "type": "number" },
            "cpuTimeMs": { "type": "number" },
            "peakMemoryBytes": { "type": ["integer", "null"] },
            "stdout": { "type": "string" },
            "stderr": { "type": "string" },
            "stdoutTruncated": { "type": "boolean" },
            "stderrTruncated": { "type": "boolean" },
            "limitHits": { "type": "array", "items": { "type": "object", "properties": { "limit": { "type": "string" }, "value": { "type": "integer" }, "unit": { "type": "string", "description": "ms, bytes, processes or connections" } }, "required": ["limit", "value"] } },
            "violations": { "type": "array", "items": { "type": "object", "properties": { "kind": { "type": "string" }, "detail": { "type": "string" }, "severity": { "type": "string" }, "action": { "type": "string" }, "time": { "type": ["string", "null"] }, "count": { "type": "integer" } }, "required": ["kind", "detail", "severity", "action"] } },
            "network": {{NetworkReport}},
            "error": { "type": ["object", "null"], "properties": { "rule": { "type": "string" }, "message": { "type": "string" } }, "description": "Null here: a refusal or a sandbox that could not start comes back as an isError result." }
          },
          "required": ["sandboxId", "profile", "exitCode", "timedOut", "durationMs", "stdout", "stderr", "limitHits", "violations"]
        }
        """;

    public const string BuildInput = """
        {
          "type": "object",
          "properties": {
            "profile": { "type": "string", "description": "The profile to build. See aisbx-profile-list." },
            "force": { "type": "boolean", "description": "Build the tree anew even when one of its current inputs exists. Default false." }
          },
          "required": ["profile"],
          "additionalProperties": false
        }
        """;

    public const string BuildOutput = """
        {
          "type": "object",
          "properties": {
            "profile": { "type": "string" },
            "ready": { "type": "boolean", "description": "The profile's tree is there, its toolchain present, and its syscall filter compiled and cached." },
            "tree": {
              "type": "object",
              "description": "The profile's root filesystem.",
              "properties": {
                "state": { "type": "string", "description": "built, or host for a profile that runs on the host's /usr." },
                "hash": { "type": "string", "description": "The hash of the tree's inputs (empty for the host)." },
                "sizeBytes": { "type": ["integer", "null"] },
                "builtAt": { "type": ["string", "null"], "description": "When the tree was built (ISO 8601)." }
              },
              "required": ["state", "hash"]
            },
            "cached": { "type": "boolean", "description": "The tree of these inputs was already built: nothing was done." },
            "tookMs": { "type": "number" },
            "notes": { "type": "array", "items": { "type": "string" }, "description": "What an image import dropped or changed." },
            "toolchain": { "type": "array", "items": { "type": "string" } },
            "missingTools": { "type": "array", "items": { "type": "string" } },
            "installHint": { "type": ["string", "null"] },
            "filterInstructions": { "type": "integer" }
          },
          "required": ["profile", "ready", "tree", "cached", "tookMs", "notes", "toolchain", "missingTools", "filterInstructions"]
        }
        """;

    public const string ProfileListInput = """
        { "type": "object", "properties": {}, "additionalProperties": false }
        """;

    public const string ProfileListOutput = """
        {
          "type": "object",
          "properties": {
            "profiles": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "name": { "type": "string" },
                  "description": { "type": "string" },
                  "network": { "type": "string" },
                  "allowedNetworks": { "type": "array", "items": { "type": "string" } },
                  "egress": {
                    "type": "object",
                    "description": "The hosts a run with network allowlist may reach (no port: 80 and 443), those refused even so, and its caps.",
                    "properties": {
                      "allow": { "type": "array", "items": { "type": "string" } },
                      "deny": { "type": "array", "items": { "type": "string" } },
                      "maxConnections": { "type": "integer" },
                      "maxBytes": { "type": "integer" }
                    }
                  },
                  "toolchain": { "type": "array", "items": { "type": "string" } },
                  "toolchainPresent": { "type": "boolean" },
                  "missingTools": { "type": "array", "items": { "type": "string" } },
                  "syscalls": { "type": "string", "description": "denylist or allowlist" },
                  "limits": { "type": "object", "additionalProperties": { "type": ["string", "integer"] } }
                },
                "required": ["name", "description", "network", "toolchainPresent", "limits"]
              }
            }
          },
          "required": ["profiles"]
        }
        """;
}
