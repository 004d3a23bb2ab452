"""Python checks, one module per topic. A check is `check(obj, ctx) -> Iterable[Violation]`:
`obj` is an engine.K8sObject (obj.data is the plain manifest), `ctx` a CheckContext with the
rule's options and, for cross-object rules, every object of the run. Pointers are tuples of
keys and indices into obj.data; the engine turns them into file:line:column."""
