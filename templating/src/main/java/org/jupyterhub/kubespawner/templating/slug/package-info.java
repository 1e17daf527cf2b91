/**
 * KubeSpawner 7.1.0's slug scheme, ported exactly, so rendered names such as {@code claim-{user_server}} match
 * the objects KubeSpawner created.
 */
package org.jupyterhub.kubespawner.templating.slug;
