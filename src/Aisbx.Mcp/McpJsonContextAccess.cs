using System.Text.Json.Serialization.Metadata;

namespace Aisbx.Mcp;

/// <summary>The tools' documents' JSON metadata, for other entry points (the REST API) to write the same shapes.</summary>
public static class McpJsonContextAccess
{
    public static JsonTypeInfo<ProfileListing> ProfileListing => McpJsonContext.Default.ProfileListing;

    public static JsonTypeInfo<BuildReport> BuildReport => McpJsonContext.Default.BuildReport;
}
