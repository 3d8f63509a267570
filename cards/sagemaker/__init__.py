"""Everything that talks to AWS, and nothing else does.

``client`` is the only module that imports boto3 or botocore; ``lookups`` turns SageMaker's
answers into fills for a card; ``sandbox`` is the local SageMaker (moto, corrected). Screens
reach these through ``cards.services``, never directly.
"""
