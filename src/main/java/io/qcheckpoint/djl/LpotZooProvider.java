package io.qcheckpoint.djl;

import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooProvider;

/** Registers {@link LpotModelZoo} with DJL ({@code META-INF/services/ai.djl.repository.zoo.ZooProvider}). */
public final class LpotZooProvider implements ZooProvider {
    /** Creates the provider (the ServiceLoader does). */
    public LpotZooProvider() {
    }

    @Override
    public ModelZoo getModelZoo() {
        return new LpotModelZoo();
    }
}
