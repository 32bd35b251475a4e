/**
 * The float model from its TorchScript file, so that no Java model code is needed:
 * {@link io.qcheckpoint.torchscript.TorchScriptModels#load} builds a {@link io.qcheckpoint.nn.Module}
 * tree from a {@code torch.jit.save} archive read as data by {@link io.qcheckpoint.pt.TorchScriptArchive}.
 * Torch types with a module in {@code io.qcheckpoint.nn} map to it through a table; every other module
 * becomes a {@link io.qcheckpoint.torchscript.ScriptedModule} running its compiled {@code forward},
 * compiled (and, where outside the tables, refused) when the file is imported. See docs/torchscript.md.
 */
package io.qcheckpoint.torchscript;
