using MudBlazor;
using Tessera.Domain.Factors;

namespace Tessera.Portal.Components.Security;

/// <summary>What the user is told after removing a factor, the same words on every list.</summary>
public static class FactorRemovalText
{
    public static (string Message, Severity Severity) For(FactorRemoval outcome, string name) => outcome switch
    {
        FactorRemoval.Removed => ($"\"{name}\" removed.", Severity.Success),
        FactorRemoval.LastFactorRequired => ("Your role requires a second factor: add another one before you remove this one.", Severity.Error),
        FactorRemoval.StepUpRequired => ("That confirmation has expired or was already used. Confirm it is you again.", Severity.Error),
        _ => ($"\"{name}\" was already removed.", Severity.Info),
    };

    public static void Show(this ISnackbar snackbar, FactorRemoval outcome, string name)
    {
        var (message, severity) = For(outcome, name);
        snackbar.Add(message, severity);
    }
}
