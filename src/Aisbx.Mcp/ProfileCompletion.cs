using Aisbx.Service;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary><c>completion/complete</c>: the profile names that start with what was typed, for any argument called <c>profile</c>.</summary>
public static class ProfileCompletion
{
    public static ValueTask<CompleteResult> Complete(ServiceContext context, RequestContext<CompleteRequestParams> request)
    {
        var argument = request.Params?.Argument;
        var values = argument?.Name == "profile"
            ? context.Runner.Profiles.Names().Where(name => name.StartsWith(argument.Value ?? "", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
        return ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = [.. values.Take(100)], Total = values.Count, HasMore = values.Count > 100 },
        });
    }
}
