package io.qcheckpoint.torchscript;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.TorchScriptArchive;
import io.qcheckpoint.torchscript.Ast.ClassDef;
import io.qcheckpoint.torchscript.Ast.CodeFile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The code of an archive, parsed file by file on first use: classes by qualified name
 * ({@code __torch__.torch.nn.modules.conv.___torch_mangle_4.Conv2d}).
 */
final class CodeBase {
    private static final Pattern MANGLE = Pattern.compile("\\.___torch_mangle_\\d+");

    private final TorchScriptArchive archive;
    private final Map<String, CodeFile> parsed = new HashMap<>();

    /** Where a class is: its syntax and the code file it is in. */
    record Located(ClassDef def, String file) {
        String where(int line) {
            return "code/" + file + " line " + line;
        }
    }

    CodeBase(TorchScriptArchive archive) {
        this.archive = archive;
    }

    String archiveName() {
        return archive.path().toString();
    }

    /**
     * The torch type of a qualified name: without {@code __torch__.} and the {@code ___torch_mangle_N} parts,
     * e.g. {@code torch.nn.modules.conv.Conv2d}.
     */
    static String torchType(String qualifiedName) {
        String s = MANGLE.matcher(qualifiedName).replaceAll("");
        return s.startsWith("__torch__.") ? s.substring("__torch__.".length()) : s;
    }

    /** The last part of a dotted name. */
    static String simpleName(String dotted) {
        return dotted.substring(dotted.lastIndexOf('.') + 1);
    }

    /** The values of the archive's constants.pkl ({@code CONSTANTS.c0} is the first). */
    List<Object> constants() {
        return archive.constants();
    }

    /**
     * Finds a function of the code ({@code __torch__.torchvision.models.shufflenetv2.channel_shuffle}).
     *
     * @param qualifiedName its name
     * @return the function and its file, or null when no code file defines it
     * @throws CheckpointFormatException if the file does not parse
     */
    Ast.Def function(String qualifiedName) throws CheckpointFormatException {
        CodeFile file = file(qualifiedName);
        String name = qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
        for (Ast.Def d : file == null ? List.<Ast.Def>of() : file.functions()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** Whether {@code qualifiedName} is a class of the code without methods (a NamedTuple). */
    boolean isNamedTuple(String qualifiedName) throws CheckpointFormatException {
        CodeFile file = file(qualifiedName);
        String name = qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
        for (ClassDef c : file == null ? List.<ClassDef>of() : file.classes()) {
            if (c.name().equals(name)) {
                return c.methods().isEmpty();
            }
        }
        return false;
    }

    private CodeFile file(String qualifiedName) throws CheckpointFormatException {
        int dot = qualifiedName.lastIndexOf('.');
        String file = qualifiedName.substring(0, Math.max(dot, 0)).replace('.', '/') + ".py";
        CodeFile code = parsed.get(file);
        if (code == null && archive.code().containsKey(file)) {
            code = Parser.parse(archiveName(), file, archive.code().get(file));
            parsed.put(file, code);
        }
        return code;
    }

    /**
     * Finds a class.
     *
     * @param qualifiedName the class's name as data.pkl gives it
     * @return the class and its file
     * @throws CheckpointFormatException if no code file defines it, or the file does not parse
     */
    Located find(String qualifiedName) throws CheckpointFormatException {
        int dot = qualifiedName.lastIndexOf('.');
        String file = qualifiedName.substring(0, Math.max(dot, 0)).replace('.', '/') + ".py";
        String name = qualifiedName.substring(dot + 1);
        CodeFile code = file(qualifiedName);
        if (code == null) {
            throw new CheckpointFormatException(archiveName(), "class " + qualifiedName + " has no code file code/"
                    + file);
        }
        for (ClassDef c : code.classes()) {
            if (c.name().equals(name)) {
                return new Located(c, file);
            }
        }
        throw new CheckpointFormatException(archiveName(), "code/" + file + " does not define class " + name);
    }
}
