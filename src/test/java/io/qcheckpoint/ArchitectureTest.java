package io.qcheckpoint;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, checked on the library's compiled classes: each package
 * depends only on the packages its row of {@link #ALLOWED} lists (arrows point down), there are no
 * cycles between packages, and only {@code kernels} reaches libtorch (DJL's PyTorch engine, JNA).
 * A new package needs a row here and in the doc.
 */
class ArchitectureTest {
    private static final String ROOT = "io.qcheckpoint";
    private static final Set<String> NN = Set.of("nn", "nn.intrinsic", "nn.quantized", "nn.quantized.dynamic");

    /** Package (relative to io.qcheckpoint; "" is the root) to the project packages it may use. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("pt", Set.of()),
            Map.entry("kernels", Set.of("pt")),
            Map.entry("nn", Set.of("pt", "kernels")),
            Map.entry("nn.intrinsic", Set.of("pt", "kernels", "nn")),
            Map.entry("nn.quantized", Set.of("pt", "kernels", "nn")),
            Map.entry("nn.quantized.dynamic", Set.of("pt", "kernels", "nn", "nn.quantized")),
            Map.entry("quantization", union(Set.of("pt"), NN)),
            Map.entry("config", Set.of("pt")),
            Map.entry("lpot", union(Set.of("pt", "config", "quantization"), NN)),
            Map.entry("ipex", union(Set.of("pt", "config", "quantization", "lpot"), NN)),
            Map.entry("torchscript", union(Set.of("pt", "kernels", "quantization"), NN)),
            Map.entry("", union(Set.of("pt", "config", "quantization", "lpot", "ipex"), NN)),
            Map.entry("tuning", union(Set.of("", "pt", "kernels", "config", "quantization", "lpot"), NN)),
            Map.entry("djl", union(Set.of("", "pt", "kernels", "config", "lpot", "torchscript"), NN)),
            Map.entry("demo", union(Set.of("pt", "kernels"), NN)),
            Map.entry("cli.bench", union(Set.of("", "pt", "kernels", "config", "quantization", "lpot", "torchscript",
                    "demo"), NN)),
            Map.entry("cli", union(Set.of("", "pt", "kernels", "config", "quantization", "lpot", "ipex", "tuning",
                    "torchscript", "djl", "demo", "cli.bench"), NN)));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() throws URISyntaxException {
        // the library's own output folder (or jar): test classes live elsewhere and are not imported
        Path main = Path.of(Checkpoints.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        classes = new ClassFileImporter().importPath(main);
        assertTrue(classes.size() > 100, "imported only " + classes.size() + " classes: the import is broken");
    }

    @Test
    void everyPackageUsesOnlyThePackagesBelowIt() {
        assertEquals(List.of(), forbiddenDependencies(classes));
    }

    @Test
    void packagesHaveNoCycles() {
        // one slice per package, the root included (a pattern like "io.qcheckpoint.(**)" leaves it out)
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String pkg = c.getPackageName();
                return pkg.equals(ROOT) || pkg.startsWith(ROOT + ".") ? SliceIdentifier.of(pkg) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "the packages of " + ROOT;
            }
        }).should().beFreeOfCycles().check(classes);
    }

    @Test
    void onlyKernelsReachesLibtorch() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".kernels..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl.pytorch..", "com.sun.jna..")
                .because("kernels is the one place that touches libtorch (docs/architecture.md)")
                .check(classes);
    }

    /** Every dependency between project packages that the table does not allow, one line each. */
    static List<String> forbiddenDependencies(JavaClasses classes) {
        Set<String> found = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = relative(c.getPackageName());
            Set<String> allowed = ALLOWED.get(from);
            if (allowed == null) {
                found.add(c.getPackageName() + " has no row in ArchitectureTest.ALLOWED");
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String pkg = d.getTargetClass().getPackageName();
                if (!pkg.equals(ROOT) && !pkg.startsWith(ROOT + ".")) {
                    continue;
                }
                String to = relative(pkg);
                if (!to.equals(from) && !allowed.contains(to)) {
                    found.add(c.getName() + " -> " + d.getTargetClass().getName() + " (" + display(from) + " may not use "
                            + display(to) + ")");
                }
            }
        }
        return new ArrayList<>(found);
    }

    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
    }

    private static String display(String relative) {
        return relative.isEmpty() ? ROOT : relative;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new TreeSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }
}
