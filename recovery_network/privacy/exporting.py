def build(export_id):
    return None


def requeue_stalled(task):
    return 0
