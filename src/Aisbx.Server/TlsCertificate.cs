using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aisbx.Core;
using Aisbx.Core.Configuration;

namespace Aisbx.Server;

/// <summary>
/// The server's certificate, read from the PEM files of <c>[server] tls_certificate</c> and <c>tls_key</c> before
/// anything listens, so that a missing, unreadable or mismatched file is one line at start-up.
/// </summary>
internal static class TlsCertificate
{
    /// <returns>Null when no certificate is configured (plain HTTP).</returns>
    /// <exception cref="AisbxException">A file cannot be read, or holds no usable certificate or key.</exception>
    public static X509Certificate2? Load(AisbxConfig config)
    {
        if (config.Server.TlsCertificate is not { } certificate)
        {
            return null;
        }

        var key = config.Server.TlsKey;
        Readable(certificate, "tls_certificate", config);
        if (key is not null)
        {
            Readable(key, "tls_key", config);
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificate, key);
        }
        catch (CryptographicException)
        {
            throw new AisbxException(
                $"the TLS certificate {certificate}{(key is null ? "" : " with the key " + key)} cannot be used: give PEM files of a certificate and its private key " +
                $"([server] tls_certificate and tls_key in {config.ConfigFile})");
        }
    }

    private static void Readable(string path, string setting, AisbxConfig config)
    {
        try
        {
            using var _ = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "it does not exist",
                UnauthorizedAccessException when Directory.Exists(path) => "it is a directory",
                UnauthorizedAccessException => "permission denied",
                _ => "it cannot be read",
            };
            throw new AisbxException($"cannot read {path} ([server] {setting} in {config.ConfigFile}): {reason}: fix the path, or remove {setting} to serve plain HTTP on loopback");
        }
    }
}
