package org.jupyterhub.kubespawner.operator;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The operator's packages form no cycle: the vocabulary depends on nothing of the operator, the root package on the
 * vocabulary only, templates and instances on those, and the runtime wires everything.
 */
class PackageCyclesTest {

    private static final JavaClasses OPERATOR = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.jupyterhub.kubespawner.operator");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("org.jupyterhub.kubespawner.operator.(*)..")
                .should()
                .beFreeOfCycles()
                .check(OPERATOR);
    }

    @Test
    void theVocabularyAndTheRootDependOnNoOtherPackageOfTheOperator() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that()
                .resideInAnyPackage(
                        "org.jupyterhub.kubespawner.operator.vocabulary", "org.jupyterhub.kubespawner.operator")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.jupyterhub.kubespawner.operator.instance..",
                        "org.jupyterhub.kubespawner.operator.template..",
                        "org.jupyterhub.kubespawner.operator.runtime..")
                .check(OPERATOR);
    }
}
