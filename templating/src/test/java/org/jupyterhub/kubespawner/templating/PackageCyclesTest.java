package org.jupyterhub.kubespawner.templating;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The templating library's packages (the API, {@code core}, {@code slug}) form no cycle. */
class PackageCyclesTest {

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("org.jupyterhub.kubespawner.templating.(**)")
                .should()
                .beFreeOfCycles()
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("org.jupyterhub.kubespawner.templating"));
    }
}
