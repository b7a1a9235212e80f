"""Use cases shared by the command line and the desktop app: no Qt, no argparse. Each takes a
typed request and reports progress through core's callback and cancel token.

    checking        run checks of documents (one or many, folders as a resumable batch)
    engines         choose the model and load its engine (every default once: EngineConfig)
    exports         the reviewed report as JSON or PDF, recorded in the audit log
    policy_testing  score a policy on its labelled cases and store the result
    benchmarks      public benchmarks (moderation, ToxicChat, ContractNLI) as policies + cases
    demo            the bundled sample check
    stores          open the store with this installation's audit key
"""
