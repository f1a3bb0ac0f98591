using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Engagement.Settings;

/// <summary>One app setting, named as an environment variable / app setting (<c>Section__Key</c>).</summary>
public sealed record SettingInfo(string Name, SettingPlaces Places, bool Secret, Type Options);

/// <summary>
/// Every setting the code reads, derived from the options classes themselves (a public
/// <c>SectionName</c> constant marks one; an empty section is the configuration root). The README
/// table, local.settings.example.json and the Bicep app settings are checked against this list, so
/// a new option that is not documented and deployed fails a test instead of production.
/// </summary>
public static class SettingsCatalog
{
    public static IReadOnlyList<Type> OptionsTypes(params Assembly[] assemblies) =>
        assemblies.SelectMany(a => a.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The plain settings (one value each) of the options classes found in <paramref name="assemblies"/>.</summary>
    public static IReadOnlyList<SettingInfo> Settings(params Assembly[] assemblies) =>
        OptionsTypes(assemblies).SelectMany(t => Leaves(t, Section(t), t)).ToArray();

    /// <summary>
    /// Settings that are lists of objects (Segmentation__Tiers__N__...): documented, but not app
    /// settings of their own, because giving some indexes replaces the whole default list.
    /// </summary>
    public static IReadOnlyList<string> Structured(params Assembly[] assemblies) =>
        OptionsTypes(assemblies).SelectMany(t => StructuredOf(t, Section(t))).ToArray();

    // a nested section ("Content:Pick") is spelled "Content__Pick" as an app setting
    private static string Section(Type options) =>
        ((string)options.GetField("SectionName")!.GetRawConstantValue()!).Replace(":", "__", StringComparison.Ordinal);

    private static IEnumerable<PropertyInfo> Bindable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic);

    private static string Join(string prefix, PropertyInfo p)
    {
        // an app setting spells the configuration path separator ':' as "__"
        var key = (p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name).Replace(":", "__", StringComparison.Ordinal);
        return prefix.Length == 0 ? key : prefix + "__" + key;
    }

    private static IEnumerable<SettingInfo> Leaves(Type type, string prefix, Type options)
    {
        foreach (var p in Bindable(type))
        {
            if (IsScalar(p.PropertyType))
            {
                var a = p.GetCustomAttribute<SettingAttribute>();
                yield return new SettingInfo(Join(prefix, p), a?.Places ?? SettingPlaces.Both, a?.Secret ?? false, options);
            }
            else if (!IsList(p.PropertyType))
            {
                foreach (var nested in Leaves(p.PropertyType, Join(prefix, p), options))
                {
                    yield return nested;
                }
            }
        }
    }

    private static IEnumerable<string> StructuredOf(Type type, string prefix)
    {
        foreach (var p in Bindable(type).Where(p => !IsScalar(p.PropertyType)))
        {
            if (IsList(p.PropertyType))
            {
                yield return Join(prefix, p);
            }
            else
            {
                foreach (var nested in StructuredOf(p.PropertyType, Join(prefix, p)))
                {
                    yield return nested;
                }
            }
        }
    }

    private static bool IsList(Type t) => t != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(t);

    private static bool IsScalar(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
            || t == typeof(TimeOnly) || t == typeof(DateOnly) || t == typeof(DateTimeOffset) || t == typeof(Uri);
    }
}
