# A fraud decision set aside on appeal (Art. 101 g): a new status value.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fraud', '0002_decision_applied_retake'),
    ]

    operations = [
        migrations.AlterField(
            model_name='frauddecision',
            name='status',
            field=models.CharField(choices=[('decided', 'decided'), ('awaiting_ratification', 'awaiting ratification'), ('final', 'final'), ('not_ratified', 'not ratified: the committee decides anew'), ('set_aside', 'set aside on appeal: the committee decides anew')], max_length=24, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='historicalfrauddecision',
            name='status',
            field=models.CharField(choices=[('decided', 'decided'), ('awaiting_ratification', 'awaiting ratification'), ('final', 'final'), ('not_ratified', 'not ratified: the committee decides anew'), ('set_aside', 'set aside on appeal: the committee decides anew')], max_length=24, verbose_name='status'),
        ),
    ]
