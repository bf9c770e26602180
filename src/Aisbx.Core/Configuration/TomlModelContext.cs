using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Aisbx.Core.Configuration;

/// <summary>Source-generated TOML metadata: files are read as an untyped <see cref="TomlTable"/> without reflection.</summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class TomlModelContext : TomlSerializerContext;
